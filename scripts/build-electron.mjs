#!/usr/bin/env node
// Bundles the Electron shell into dist/electron/: main.js (ESM), entry.js (the engine worker, ESM, found by
// engine/worker/host.ts next to main.js), preload.cjs (CommonJS: sandboxed preloads cannot be ES modules),
// and the tray/window icons from assets/icons.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'electron');
const dev = process.argv.includes('--dev');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'icons'), { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  sourcemap: true,
  minify: !dev,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['electron'],
  absWorkingDir: root,
};
// Bundled CommonJS dependencies may call require(); give ESM output one.
const esmBanner = { js: "import { createRequire as __tesseraCreateRequire } from 'node:module'; const require = __tesseraCreateRequire(import.meta.url);" };

await Promise.all([
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: join(out, 'main.js'), format: 'esm', target: 'node22', banner: esmBanner }),
  build({ ...common, entryPoints: ['engine/worker/entry.ts'], outfile: join(out, 'entry.js'), format: 'esm', target: 'node22', banner: esmBanner }),
  build({ ...common, entryPoints: ['electron/preload.ts'], outfile: join(out, 'preload.cjs'), format: 'cjs', target: 'chrome130', platform: 'browser' }),
]);

for (const from of ['icons/512x512.png', 'icons/256x256.png', 'tray/tray-16.png', 'tray/tray-32.png'].map((p) => join(root, 'assets', p))) {
  const name = from.split(/[\\/]/).pop();
  if (existsSync(from)) copyFileSync(from, join(out, 'icons', name));
  else console.warn(`build-electron: ${from} is missing (run node scripts/make-icons.mjs)`);
}
console.log(`build-electron: wrote ${out}`);

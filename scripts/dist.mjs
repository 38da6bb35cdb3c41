#!/usr/bin/env node
// `npm run dist`: build, then package the desktop app for this platform with electron-builder
// (config: electron-builder.json; output: artifacts/dist/). electron-builder fetches the Electron
// distribution for the target itself, so this needs network access the first time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status || 1);

const cli = join(root, 'node_modules', 'electron-builder', 'cli.js');
const r = spawnSync(process.execPath, [cli, '--config', 'electron-builder.json', '--publish', 'never', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(
    `dist: electron-builder failed (exit ${r.status ?? r.signal}). If the error above is about downloading electron-v*.zip or a packaging tool, ` +
      'it needs network access (or a filled cache: ELECTRON_CACHE / ELECTRON_BUILDER_CACHE); see "Desktop app" in README.md.',
  );
  process.exit(r.status || 1);
}

#!/usr/bin/env node
// `npm start`: build everything, make sure the Electron binary is there (npm installs here skip install
// scripts, so electron's own download never ran), then launch the desktop app. Extra arguments
// (`npm start -- file.torrent`) are passed on to the app.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, MISSING_ELECTRON_HINT } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status || 1);

let bin = electronBinary(root);
if (!bin.exists) {
  console.log('start: the Electron binary is missing; downloading it (node node_modules/electron/install.js)…');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], { cwd: root, stdio: 'inherit', timeout: 10 * 60_000 });
  bin = electronBinary(root);
  if (r.status !== 0 || !bin.exists) {
    console.error(`start: could not get the Electron binary (no network?): ${MISSING_ELECTRON_HINT}, then npm start again.`);
    process.exit(1);
  }
}

const child = spawn(bin.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

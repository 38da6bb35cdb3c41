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
  // Its output is kept, not shown: a failed download ends in a stack trace; the user gets one line instead.
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10 * 60_000 });
  bin = electronBinary(root);
  if (r.status !== 0 || !bin.exists) {
    const cause = installFailure(`${r.stderr ?? ''}\n${r.stdout ?? ''}`, r.error);
    console.error(`start: could not get the Electron binary${cause ? ` (${cause})` : ''}: ${MISSING_ELECTRON_HINT}, then npm start again.`);
    process.exit(1);
  }
}

const child = spawn(bin.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** The first error message in the installer's output (e.g. "getaddrinfo ENOTFOUND github.com"), without its stack. */
function installFailure(output, spawnError) {
  if (spawnError) return spawnError.message;
  for (const line of output.split('\n')) {
    const m = /^\s*(?:\w*Error|RequestError|HTTPError)(?:\s*\[[^\]]*\])?:\s*(.+)$/.exec(line);
    if (m) return m[1].trim().slice(0, 200);
  }
  return null;
}

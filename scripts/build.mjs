#!/usr/bin/env node
// `npm run build`: the engine (tsc -> dist/), the renderer (scripts/build-renderer.mjs -> dist/renderer/)
// and the Electron shell (scripts/build-electron.mjs -> dist/electron/).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.includes('--electron-only');

function step(label, args) {
  console.log(`build: ${label}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

if (!only) step('engine (tsc)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
if (!only) {
  if (existsSync(join(root, 'scripts', 'build-renderer.mjs'))) step('renderer', ['scripts/build-renderer.mjs']);
  else console.error('build: scripts/build-renderer.mjs does not exist yet, so the renderer was NOT built; the desktop window will report "The interface is not built" until dist/renderer/index.html exists.');
}
step('electron', ['scripts/build-electron.mjs']);

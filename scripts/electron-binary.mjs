// Where node_modules/electron keeps its binary (path.txt names it inside dist/), without require('electron'),
// which would try to download it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function electronBinary(root) {
  const pkg = join(root, 'node_modules', 'electron');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    return { path: p, exists: existsSync(p) };
  }
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { path: join(pkg, 'dist'), exists: false };
  const p = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return { path: p, exists: existsSync(p) };
}

export const MISSING_ELECTRON_HINT = 'run `node node_modules/electron/install.js` with network access (npm installs here skip install scripts, see .npmrc)';

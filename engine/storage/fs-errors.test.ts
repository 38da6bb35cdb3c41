// One-line file system messages (issue 15): a read-only file system, a file where a folder should be, a full disk.
// The read-only case mounts a small read-only tmpfs, which needs root (the lab tests need it too).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFsError } from './fs-errors.js';
import { prepareOutDir } from '../cli/out-dir.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-fserr-'));
const ro = join(root, 'ro');
mkdirSync(ro);
after(() => {
  try {
    execFileSync('umount', [ro]);
  } catch {
    // not mounted
  }
  rmSync(root, { recursive: true, force: true });
});

function message(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

test('a folder on a read-only file system is named as such, not as ENOENT of an internal folder', () => {
  assert.equal(process.getuid?.(), 0, 'this test mounts a read-only tmpfs and must run as root');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
  const out = join(ro, 'downloads');
  assert.equal(message(() => prepareOutDir(out)), `--out: ${out} is on a read-only file system: choose a folder you can write to`);
  assert.equal(message(() => prepareOutDir(ro)), `--out: ${ro} is on a read-only file system: choose a folder you can write to`);
  // What the engine shows for a torrent whose first mkdir fails there.
  let mkdirError: unknown;
  try {
    mkdirSync(join(out, '.tessera'), { recursive: true });
  } catch (err) {
    mkdirError = err;
  }
  assert.equal(describeFsError(mkdirError), `${ro} is on a read-only file system: choose a folder you can write to`);
});

test('a file given as the folder, and the other errnos, get one clear line', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  assert.equal(message(() => prepareOutDir(file)), `--out ${file} is a file, not a folder`);
  assert.equal(message(() => prepareOutDir(join(file, 'sub'))), `--out: ${join(file, 'sub')} is not a folder (it or a folder above it is a file)`);
  const errno = (code: string): Error => Object.assign(new Error(`${code}: raw`), { code, path: '/data/x/.tessera/y' });
  assert.equal(describeFsError(errno('ENOSPC'), '/data'), 'the disk holding /data is full: free some space, then resume');
  assert.equal(describeFsError(errno('EACCES'), '/data'), 'no permission to write in /data: choose another folder or change its permissions');
  assert.equal(describeFsError(new Error('something else')), 'something else');
});

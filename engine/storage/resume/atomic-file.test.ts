import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTempName, readFileIfExists, readFileIfExistsSync, removeFileIfExists, writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('writeFileAtomic creates and replaces a file and leaves no temp file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'a.json');
  await writeFileAtomic(path, 'one');
  assert.equal(readFileSync(path, 'utf8'), 'one');
  await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
  await writeFileAtomic(path, '', { syncDir: false });
  assert.equal(readFileSync(path, 'utf8'), '');
  assert.deepEqual(readdirSync(dir), ['a.json']);
});

test('a reader never sees a partial file while it is rewritten', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'big');
  const a = Buffer.alloc(256 * 1024, 0x61);
  const b = Buffer.alloc(300 * 1024, 0x62);
  await writeFileAtomic(path, a);
  let writing = true;
  let reads = 0;
  const reader = (async () => {
    while (writing) {
      const got = await readFile(path);
      reads++;
      assert.ok(got.equals(a) || got.equals(b), `partial read of ${got.length} bytes`);
    }
  })();
  for (let i = 0; i < 12; i++) await writeFileAtomic(path, i % 2 ? a : b, { syncDir: false });
  writing = false;
  await reader;
  assert.ok(reads > 0);
  assert.deepEqual(readdirSync(dir), ['big']);
});

test('a crash before the rename leaves the old file intact and a recognisable temp file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'r.resume');
  await writeFileAtomic(path, 'old complete');
  // What a kill -9 between write and rename leaves behind:
  const leftover = `${path}.tmp-0123456789ab`;
  writeFileSync(leftover, 'new but trunc');
  assert.equal(Buffer.from((await readFileIfExists(path)) ?? []).toString(), 'old complete');
  assert.ok(isTempName('r.resume.tmp-0123456789ab'));
  assert.ok(!isTempName('r.resume'));
  assert.ok(!isTempName('0123.torrent'));
});

test('a failed write rejects and leaves nothing behind', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(writeFileAtomic(join(dir, 'no', 'such', 'dir'), 'x'), { code: 'ENOENT' });
  assert.deepEqual(readdirSync(dir), []);
  assert.throws(() => writeFileAtomicSync(join(dir, 'no', 'x'), 'x'), { code: 'ENOENT' });
  assert.deepEqual(readdirSync(dir), []);
});

test('writeFileAtomicSync, readFileIfExists and removeFileIfExists', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 's');
  writeFileAtomicSync(path, 'sync');
  assert.equal(readFileSync(path, 'utf8'), 'sync');
  assert.equal(Buffer.from(readFileIfExistsSync(path) ?? []).toString(), 'sync');
  assert.equal(await readFileIfExists(join(dir, 'missing')), null);
  assert.equal(readFileIfExistsSync(join(dir, 'missing')), null);
  assert.equal(await readFileIfExists(join(path, 'under-a-file')), null);
  assert.equal(await removeFileIfExists(path), true);
  assert.equal(await removeFileIfExists(path), false);
  assert.ok(!existsSync(path));
});

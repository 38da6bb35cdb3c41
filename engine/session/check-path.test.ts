import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSavePath } from './check-path.js';

test('checkPath: a writable folder, one that can be created, and the ones that cannot, each with a message naming it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-checkpath-'));
  try {
    assert.deepEqual(await checkSavePath(root), { path: root, ok: true, exists: true, problem: null });
    const fresh = join(root, 'a', 'b');
    assert.deepEqual(await checkSavePath(fresh), { path: fresh, ok: true, exists: false, problem: null });
    const rel = await checkSavePath('downloads/x');
    assert.equal(rel.ok, false);
    assert.match(rel.problem ?? '', /"downloads\/x" is a relative path; give the full path/);
    writeFileSync(join(root, 'file'), 'x');
    assert.match((await checkSavePath(join(root, 'file'))).problem ?? '', /is a file, not a folder/);
    assert.match((await checkSavePath(join(root, 'file', 'sub'))).problem ?? '', /is a file, so .* cannot be created/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

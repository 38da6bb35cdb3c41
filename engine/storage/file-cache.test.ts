import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHandleCache } from './file-cache.js';

function withFile(fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-file-cache-'));
  try {
    const path = join(dir, 'data.bin');
    writeFileSync(path, Buffer.alloc(16));
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The swarm stall of issue 11: a block read for an upload opened the file read-only; a write of a downloaded block
// arrived while that read was in flight and was handed the same read-only descriptor, failing with EBADF, which
// errored the whole torrent.
test('a write while a read-only descriptor is busy gets a writable descriptor', () => {
  withFile((path) => {
    const cache = new FileHandleCache();
    const readFd = cache.acquire(path, false);
    const writeFd = cache.acquire(path, true);
    assert.notEqual(writeFd, readFd, 'the busy read-only descriptor is not handed to a writer');
    writeSync(writeFd, Buffer.from('abcd'), 0, 4, 0);
    cache.release(writeFd);
    // The reader still holds its descriptor: it stays open until released, then closes.
    assert.ok(fstatSync(readFd).size === 16);
    cache.release(readFd);
    assert.throws(() => fstatSync(readFd), /EBADF/, 'the retired descriptor closes on its last release');
    // Later readers and writers share the writable descriptor.
    const again = cache.acquire(path, false);
    assert.equal(again, writeFd);
    cache.release(again);
    cache.closeAll();
    assert.equal(readFileSync(path).subarray(0, 4).toString(), 'abcd');
  });
});

test('a release pairs with its own descriptor, not whichever one the path has now', () => {
  withFile((path) => {
    const cache = new FileHandleCache(1);
    const readFd = cache.acquire(path, false);
    const writeFd = cache.acquire(path, true); // retires readFd
    cache.release(readFd); // must not count against writeFd
    // writeFd is still busy: opening another file past the limit must not close it.
    const other = `${path}.other`;
    writeFileSync(other, Buffer.alloc(1));
    const otherFd = cache.acquire(other, false);
    writeSync(writeFd, Buffer.from('x'), 0, 1, 0);
    cache.release(otherFd);
    cache.release(writeFd);
    cache.closeAll();
  });
});

test('an idle read-only descriptor is replaced by a writable one', () => {
  withFile((path) => {
    const cache = new FileHandleCache();
    const readFd = cache.acquire(path, false);
    cache.release(readFd);
    const writeFd = cache.acquire(path, true);
    writeSync(writeFd, Buffer.from('z'), 0, 1, 0);
    cache.release(writeFd);
    cache.closeAll();
  });
});

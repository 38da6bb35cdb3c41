import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenRequest } from '../renderer/api/bridge.js';
import { OpenQueue, readOpenTarget } from './open-requests.js';

test('open requests: .torrent files are read whole; missing, empty, folder and oversized files give clear errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-open-'));
  try {
    const ok = join(dir, 'ünï code.torrent');
    writeFileSync(ok, Buffer.from('d4:infod4:name1:xee'));
    const r = await readOpenTarget({ kind: 'file', path: ok });
    assert.ok(r.ok);
    assert.equal(r.request.kind, 'torrent');
    assert.equal(r.request.kind === 'torrent' && r.request.name, 'ünï code.torrent');
    assert.equal(r.request.kind === 'torrent' && Buffer.from(r.request.data).toString(), 'd4:infod4:name1:xee');

    const missing = await readOpenTarget({ kind: 'file', path: join(dir, 'nope.torrent') });
    assert.ok(!missing.ok && /does not exist/.test(missing.message));
    writeFileSync(join(dir, 'empty.torrent'), '');
    const empty = await readOpenTarget({ kind: 'file', path: join(dir, 'empty.torrent') });
    assert.ok(!empty.ok && /empty/.test(empty.message));
    mkdirSync(join(dir, 'd.torrent'));
    const folder = await readOpenTarget({ kind: 'file', path: join(dir, 'd.torrent') });
    assert.ok(!folder.ok && /not a file|folder/.test(folder.message), JSON.stringify(folder));
    writeFileSync(join(dir, 'big.torrent'), Buffer.alloc(2048));
    const big = await readOpenTarget({ kind: 'file', path: join(dir, 'big.torrent') }, 1024);
    assert.ok(!big.ok && /too large/.test(big.message));
    const m = await readOpenTarget({ kind: 'magnet', uri: 'magnet:?xt=urn:btih:x' });
    assert.deepEqual(m, { ok: true, request: { kind: 'magnet', uri: 'magnet:?xt=urn:btih:x' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('open queue: holds requests until ready, in order; a reload queues again; bounded', () => {
  const q = new OpenQueue(2);
  const got: OpenRequest[] = [];
  const a: OpenRequest = { kind: 'magnet', uri: 'magnet:?a' };
  const b: OpenRequest = { kind: 'magnet', uri: 'magnet:?b' };
  const c: OpenRequest = { kind: 'magnet', uri: 'magnet:?c' };
  assert.equal(q.push(a), true);
  assert.equal(q.push(b), true);
  assert.equal(q.push(c), false, 'over the bound');
  assert.equal(got.length, 0);
  q.ready((r) => void got.push(r));
  assert.deepEqual(got, [a, b]);
  q.push(c);
  assert.deepEqual(got, [a, b, c]);
  q.notReady();
  q.push(a);
  assert.equal(got.length, 3);
  assert.equal(q.size, 1);
});

// Stream capabilities and the loopback check (must-show 4 of issue 16): a daemon serving a seeding torrent's files at
// /stream/… without the token, refusing a missing or wrong capability, and refusing a non-loopback peer while remote
// access is off (checked on the handler with a fake peer address, since this test binds loopback only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamUrlResult } from '../api/types.js';
import { ephemeralCapabilities, loadOrCreateStreamCapabilities } from './stream-capability.js';
import { handleStream, streamClientAllowed } from './stream-handler.js';
import { httpGet, makeSmallTorrent, startTestDaemon } from './test-daemon.js';

function getBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

test('streamClientAllowed: loopback only unless remote access is on', () => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.equal(streamClientAllowed(a, false), true, a);
  for (const a of ['192.168.1.5', '10.0.0.1', '::ffff:10.0.0.1', 'fe80::1', '0.0.0.0', undefined]) assert.equal(streamClientAllowed(a, false), false, String(a));
  assert.equal(streamClientAllowed('192.168.1.5', true), true);
});

test('capabilities are per file, stable for one secret, different under another', () => {
  const a = ephemeralCapabilities();
  const b = ephemeralCapabilities();
  const h = 'ab'.repeat(20);
  assert.match(a.of(h, 0), /^[0-9a-f]{64}$/);
  assert.equal(a.of(h, 0), a.of(h.toUpperCase(), 0));
  assert.notEqual(a.of(h, 0), a.of(h, 1));
  assert.notEqual(a.of(h, 0), b.of(h, 0));
  assert.ok(a.matches(a.of(h, 3), h, 3) && !a.matches(a.of(h, 3), h, 4) && !a.matches('', h, 3));
});

test('the daemon streams files by capability URL with no token; refuses without it, with a wrong one, and from a remote peer', { timeout: 60_000 }, async () => {
  const streams = ephemeralCapabilities();
  const d = await startTestDaemon({ streams });
  try {
    const t = await makeSmallTorrent(d.root, 'streamed', 16);
    const reply = await d.session.request({ kind: 'request', requestId: 1, command: { type: 'add', source: { kind: 'torrent', data: t.data }, savePath: d.root } });
    assert.ok(reply.ok);
    const id = (reply.result as { id: string }).id;
    const urlOf = async (file: number): Promise<StreamUrlResult> => {
      const r = await d.session.request({ kind: 'request', requestId: 2, command: { type: 'streamUrl', id, file } });
      if (!r.ok) throw new Error(r.error.message);
      return r.result as StreamUrlResult;
    };
    const info = await d.session.request({ kind: 'request', requestId: 3, command: { type: 'getInfo', id } });
    assert.ok(info.ok);
    const files = (info.result as { files: { index: number; path: string }[] }).files;
    const b = files.find((f) => f.path.endsWith('b.bin'))!;
    const s = await urlOf(b.index);
    assert.ok(s.url.startsWith(`${d.server.origin}/stream/`), s.url);
    const want = readFileSync(join(t.root, 'sub', 'b.bin'));
    // The reads wait for the torrent to check its data and start seeding.
    const got = await getBytes(s.url);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(want), 'served without a token, every byte equal');
    const part = await getBytes(s.url, { Range: 'bytes=16380-16390' });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(want.subarray(16380, 16391)));

    const path = new URL(s.url).pathname;
    const [, , cap, hash, index, name] = path.split('/');
    const wrong = [...cap].reverse().join('');
    for (const p of [`/stream/${hash}/${index}/${name}`, `/stream/${wrong}/${hash}/${index}/${name}`, `/stream/${cap}/${hash}/${Number(index) + 1}/${name}`, `/stream/${cap.toUpperCase()}/${hash}/${index}/${name}`]) {
      assert.equal((await httpGet(d.server.port, p)).status, 403, p);
    }
    assert.equal((await httpGet(d.server.port, path, { Host: 'evil.example' })).status, 403, 'the Host check still applies');

    // The handler itself, as a non-loopback peer would reach it: refused with remote access off, served with it on.
    for (const allowRemote of [false, true]) {
      const server = createServer((req, res) => void handleStream(req, res, path, { files: d.session, capabilities: streams, allowRemote, remoteAddressOf: () => '192.168.1.5' }));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as { port: number }).port;
        const r = await getBytes(`http://127.0.0.1:${port}${path}`, { Range: 'bytes=0-9' });
        assert.equal(r.status, allowRemote ? 206 : 403, `remote access ${allowRemote ? 'on' : 'off'}`);
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    }
  } finally {
    await d.close();
  }
});

test('the stream secret is kept in the data folder, owner-only, and reused', async () => {
  const { mkdtempSync, statSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-secret-'));
  try {
    const file = join(dir, 'data', 'stream-secret');
    const a = loadOrCreateStreamCapabilities(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const b = loadOrCreateStreamCapabilities(file);
    assert.equal(a.of('00'.repeat(20), 1), b.of('00'.repeat(20), 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

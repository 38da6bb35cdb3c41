import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { TrackerError } from './errors.js';
import { httpAnnounce, httpScrape } from './http-client.js';
import type { AnnounceParams } from './types.js';

const T = { timeout: 10_000 };
const params: AnnounceParams = {
  infoHash: new Uint8Array(20).fill(0x2b), // '+' must arrive escaped
  peerId: new Uint8Array(Buffer.from('-TS0001-000000000000')),
  port: 6881,
  uploaded: 0,
  downloaded: 0,
  left: 100,
  event: 'started',
  numwant: 50,
};

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const routes = new Map<string, Handler>();
let lastQuery = '';
let server: http.Server;
let base = '';
const hung: http.ServerResponse[] = [];

const bytes = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
const send = (body: Buffer, status = 200, headers: http.OutgoingHttpHeaders = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
};

before(async () => {
  server = http.createServer((req, res) => {
    const [path, query = ''] = (req.url ?? '').split('?');
    if (path.endsWith('announce') || path.endsWith('scrape')) lastQuery = query;
    const h = routes.get(path);
    if (h) h(req, res);
    else send(Buffer.from('not found'), 404)(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const compact = Buffer.from([127, 0, 0, 2, 0x1a, 0xe1, 127, 0, 0, 3, 0x1a, 0xe2]);
  routes.set('/compact/announce', send(bytes('d8:completei3e10:incompletei4e8:intervali1800e5:peers12:', compact, 'e')));
  routes.set('/dict/announce', send(bytes('d8:intervali60e5:peersld7:peer id20:aaaaaaaaaaaaaaaaaaaa2:ip9:127.0.0.54:porti1000eed2:ip9:localhost4:porti1001eeee')));
  const p6 = Buffer.alloc(18);
  p6[15] = 1;
  p6.writeUInt16BE(7000, 16);
  routes.set('/six/announce', send(bytes('d8:intervali60e5:peers0:6:peers618:', p6, 'e')));
  routes.set('/fail/announce', send(bytes('d14:failure reason20:unregistered torrente')));
  routes.set('/hang/announce', (_req, res) => void hung.push(res));
  routes.set('/garbage/announce', send(Buffer.from('<html>oops</html>')));
  routes.set('/big/announce', send(Buffer.alloc(3 * 1024 * 1024, 0x61)));
  routes.set('/gzip/announce', send(zlib.gzipSync(bytes('d8:intervali60e5:peers6:', compact.subarray(0, 6), 'e')), 200, { 'content-encoding': 'gzip' }));
  routes.set('/r1/announce', (req, res) => {
    res.writeHead(302, { location: `/compact/announce?${(req.url ?? '').split('?')[1]}` });
    res.end();
  });
  routes.set('/loop/announce', (_req, res) => {
    res.writeHead(301, { location: '/loop/announce' });
    res.end();
  });
  routes.set('/s/scrape', send(bytes('d5:filesd20:', Buffer.alloc(20, 0x2b), 'd8:completei9e10:incompletei8e10:downloadedi7eeee')));
});

after(async () => {
  for (const r of hung) r.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test('compact peers, counts and the query sent', T, async () => {
  const r = await httpAnnounce(`${base}/compact/announce`, params, { timeoutMs: 5000 });
  assert.deepEqual(r.peers, [
    { host: '127.0.0.2', port: 6881 },
    { host: '127.0.0.3', port: 6882 },
  ]);
  assert.equal(r.complete, 3);
  assert.equal(r.incomplete, 4);
  assert.equal(r.interval, 1800);
  assert.match(lastQuery, /^info_hash=(%2B){20}&peer_id=-TS0001-000000000000&port=6881&uploaded=0&downloaded=0&left=100&compact=1&event=started&numwant=50$/);
});

test('dictionary peers', T, async () => {
  const r = await httpAnnounce(`${base}/dict/announce`, params, { timeoutMs: 5000 });
  assert.deepEqual(r.peers, [
    { host: '127.0.0.5', port: 1000 },
    { host: 'localhost', port: 1001 },
  ]);
});

test('peers6', T, async () => {
  const r = await httpAnnounce(`${base}/six/announce`, params, { timeoutMs: 5000 });
  assert.deepEqual(r.peers, [{ host: '::1', port: 7000 }]);
});

test('gzip body', T, async () => {
  const r = await httpAnnounce(`${base}/gzip/announce`, params, { timeoutMs: 5000 });
  assert.deepEqual(r.peers, [{ host: '127.0.0.2', port: 6881 }]);
});

test('failure reason becomes the error message', T, async () => {
  await assert.rejects(httpAnnounce(`${base}/fail/announce?passkey=secret`, params, { timeoutMs: 5000 }), (e: unknown) => {
    assert.ok(e instanceof TrackerError);
    assert.equal(e.kind, 'failure');
    assert.equal(e.message, `tracker ${base}/fail/announce: unregistered torrent`);
    return true;
  });
});

test('HTTP 404', T, async () => {
  await assert.rejects(httpAnnounce(`${base}/nothing/announce`, params, { timeoutMs: 5000 }), {
    name: 'TrackerError',
    message: `tracker ${base}/nothing/announce: HTTP 404`,
  });
});

test('timeout', T, async () => {
  await assert.rejects(httpAnnounce(`${base}/hang/announce`, params, { timeoutMs: 200 }), {
    name: 'TrackerError',
    message: `tracker ${base}/hang/announce: timed out after 0.2 s`,
  });
});

test('abort signal', T, async () => {
  const ac = new AbortController();
  const p = httpAnnounce(`${base}/hang/announce`, params, { timeoutMs: 5000, signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(p, (e: unknown) => e instanceof TrackerError && e.kind === 'aborted');
});

test('not bencode', T, async () => {
  await assert.rejects(httpAnnounce(`${base}/garbage/announce`, params, { timeoutMs: 5000 }), (e: unknown) => e instanceof TrackerError && e.kind === 'protocol' && e.message.startsWith(`tracker ${base}/garbage/announce: announce: invalid bencode`));
});

test('size cap', T, async () => {
  await assert.rejects(httpAnnounce(`${base}/big/announce`, params, { timeoutMs: 5000 }), /exceeds the 2097152-byte limit/);
  await assert.rejects(httpAnnounce(`${base}/compact/announce`, params, { timeoutMs: 5000, maxBytes: 10 }), /exceeds the 10-byte limit/);
});

test('redirects: followed, and capped at 3', T, async () => {
  const r = await httpAnnounce(`${base}/r1/announce`, params, { timeoutMs: 5000 });
  assert.equal(r.peers.length, 2);
  await assert.rejects(httpAnnounce(`${base}/loop/announce`, params, { timeoutMs: 5000 }), /more than 3 redirects/);
});

test('connection refused is a network error', T, async () => {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  await assert.rejects(httpAnnounce(`http://127.0.0.1:${port}/announce`, params, { timeoutMs: 5000 }), (e: unknown) => e instanceof TrackerError && e.kind === 'network');
});

test('scrape', T, async () => {
  const r = await httpScrape(`${base}/s/announce`, params.infoHash, { timeoutMs: 5000 });
  assert.deepEqual(r, { complete: 9, incomplete: 8, downloaded: 7 });
  assert.equal(lastQuery, `info_hash=${'%2B'.repeat(20)}`);
  await assert.rejects(httpScrape(`${base}/s/a`, params.infoHash, { timeoutMs: 5000 }), (e: unknown) => e instanceof TrackerError && e.kind === 'unsupported');
});

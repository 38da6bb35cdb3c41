import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, InspectResult, TorrentDetails } from '../api/types.js';
import { parseTorrent } from '../metainfo/index.js';
import { SECURITY_HEADERS } from './static.js';
import { RefusedError, WsTestClient } from './test-client.js';
import { httpGet, makeSmallTorrent, startTestDaemon, type TestDaemon } from './test-daemon.js';

const CSP = "default-src 'self'; connect-src 'self' http://127.0.0.1:* http://[::1]:* http://localhost:*; media-src 'self' blob: http://127.0.0.1:* http://[::1]:* http://localhost:*; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const SECRET = 'SECRET-CONTENT-NEVER-SERVED';

async function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const c = await WsTestClient.connect(url, headers);
    await c.close();
    return 101;
  } catch (err) {
    if (err instanceof RefusedError) return err.status;
    throw err;
  }
}

describe('daemon: static files', { timeout: 30_000 }, () => {
  let d: TestDaemon;
  let site: string;
  before(async () => {
    site = mkdtempSync(join(tmpdir(), 'tessera-site-'));
    const www = join(site, 'www');
    mkdirSync(join(www, 'assets'), { recursive: true });
    writeFileSync(join(www, 'index.html'), '<!doctype html><title>Tessera</title>');
    writeFileSync(join(www, 'app.js'), 'console.log(1);');
    writeFileSync(join(www, 'app.css'), 'body{}');
    writeFileSync(join(www, 'app.js.map'), '{}');
    writeFileSync(join(www, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(www, '.hidden'), SECRET);
    writeFileSync(join(site, 'package.json'), SECRET);
    writeFileSync(join(site, 'secret.txt'), SECRET);
    symlinkSync(join(site, 'secret.txt'), join(www, 'link.txt'));
    d = await startTestDaemon({ staticRoot: www });
  });
  after(async () => {
    await d.close();
    rmSync(site, { recursive: true, force: true });
  });

  test('serves the build with content types, security headers and no-cache', async () => {
    const cases: [string, string][] = [
      ['/', 'text/html; charset=utf-8'],
      ['/index.html', 'text/html; charset=utf-8'],
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/app.css', 'text/css; charset=utf-8'],
      ['/app.js.map', 'application/json; charset=utf-8'],
      ['/assets/icon.svg', 'image/svg+xml'],
    ];
    for (const [path, type] of cases) {
      const r = await httpGet(d.server.port, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], type, path);
      assert.equal(r.headers['content-security-policy'], CSP, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
      assert.equal(r.headers['cache-control'], 'no-cache', path);
    }
    assert.equal((await httpGet(d.server.port, '/')).body, '<!doctype html><title>Tessera</title>');
    assert.equal(SECURITY_HEADERS['Content-Security-Policy'], CSP);
  });

  test('no traversal: encoded or not, through symlinks or hidden files; 404 and never the contents', async () => {
    const attempts = [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/package.json',
      '/%2E%2E/secret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/%2e%2e%5c%2e%2e%5csecret.txt',
      '//secret.txt',
      '/link.txt',
      '/.hidden',
      '/%2ehidden',
      '/app.js%00.html',
      '/%',
      '/nope.js',
      '/assets/',
    ];
    for (const path of attempts) {
      const r = await httpGet(d.server.port, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.ok(!r.body.includes(SECRET), `${path} leaked a file`);
      assert.equal(r.headers['content-security-policy'], CSP, path);
    }
  });

  test('only GET and HEAD', async () => {
    assert.equal((await httpGet(d.server.port, '/', {}, 'POST')).status, 405);
    const head = await httpGet(d.server.port, '/app.js', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  test('a foreign Host header (DNS rebinding) is refused', async () => {
    const r = await httpGet(d.server.port, '/', { Host: `evil.example:${d.server.port}` });
    assert.equal(r.status, 403);
    assert.equal((await httpGet(d.server.port, '/', { Host: `localhost:${d.server.port}` })).status, 200);
  });
});

describe('daemon: the protocol over WebSocket', { timeout: 60_000 }, () => {
  let d: TestDaemon;
  const clients: WsTestClient[] = [];
  const connect = async (url = d.wsUrl, headers: Record<string, string> = {}): Promise<WsTestClient> => {
    const c = await WsTestClient.connect(url, headers);
    clients.push(c);
    return c;
  };
  before(async () => {
    d = await startTestDaemon();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await d.close();
  });

  test('the API needs the token: 401 over HTTP and on the upgrade without or with a wrong one', async () => {
    const port = d.server.port;
    assert.equal((await httpGet(port, '/api')).status, 401);
    assert.equal((await httpGet(port, '/api?token=wrong-token-wrong-token')).status, 401);
    assert.equal((await httpGet(port, `/api/torrents?token=${d.token}x`)).status, 401);
    assert.equal((await httpGet(port, `/api/torrents`)).status, 401);
    assert.equal((await httpGet(port, `/api?token=${d.token}`)).status, 426, 'right token, but not a WebSocket');
    assert.equal(await refusal(`ws://127.0.0.1:${port}/api`), 401);
    assert.equal(await refusal(`ws://127.0.0.1:${port}/api?token=`), 401);
    assert.equal(await refusal(`ws://127.0.0.1:${port}/api?token=${d.token.slice(0, -1)}`), 401);
    assert.equal(await refusal(`ws://127.0.0.1:${port}/api?token=${d.token}A`), 401);
    assert.equal(await refusal(`ws://127.0.0.1:${port}/other?token=${d.token}`), 404);
  });

  test('Origin: a foreign one is refused (403); the daemon\'s own, under any loopback name, is accepted', async () => {
    const port = d.server.port;
    assert.equal(await refusal(d.wsUrl, { Origin: 'http://evil.example' }), 403);
    assert.equal(await refusal(d.wsUrl, { Origin: `http://evil.example:${port}` }), 403);
    assert.equal(await refusal(d.wsUrl, { Origin: `http://127.0.0.1:${port + 1}` }), 403);
    assert.equal(await refusal(d.wsUrl, { Origin: 'null' }), 403);
    assert.equal(await refusal(d.wsUrl, { Origin: `http://127.0.0.1:${port}` }), 101);
    assert.equal(await refusal(d.wsUrl, { Origin: `http://localhost:${port}` }), 101);
    assert.equal(await refusal(d.wsUrl, { Origin: `http://[::1]:${port}` }), 101);
    assert.equal(await refusal(`ws://localhost:${port}/api?token=${d.token}`, { Origin: `http://localhost:${port}` }), 101);
    assert.equal(await refusal(d.wsUrl, { Host: `evil.example:${port}` }), 403, 'DNS rebinding');
  });

  test('a new client gets a snapshot; a torrent added over the socket shows up in a batch', async () => {
    const c = await connect();
    await c.until(() => c.events.length > 0, 'first event');
    assert.equal(c.events[0].kind, 'snapshot');
    const { data } = await makeSmallTorrent(d.root, 'first');
    const { id, name } = await c.send({ type: 'add', source: { kind: 'torrent', data }, paused: true });
    assert.equal(name, 'first');
    await c.until(() => c.events.some((e) => e.kind === 'batch' && e.added.some((t) => t.id === id)), 'the added row in a batch');
    await c.until(() => c.list.get(id)?.state === 'paused', 'paused row');
    assert.equal(c.gaps, 0);
  });

  test('bad messages get error replies; the connection and the daemon carry on', async () => {
    const c = await connect();
    const other = await connect();
    c.sendRaw('this is not json');
    c.sendRaw(Buffer.from([1, 2, 3]), true);
    c.sendRaw('{"kind":"request","requestId":5,"command":{"type":"pause","ids":["nope"]}}');
    c.sendRaw('{"kind":"request","requestId":6,"command":{"type":"launchMissiles"}}');
    c.sendRaw('{"$u8":"!!"}');
    c.sendRaw('[]');
    await c.until(() => c.replies.length >= 6, 'six error replies');
    for (const r of c.replies) assert.equal(r.ok, false, JSON.stringify(r));
    const byId = (id: number) => c.replies.find((r) => r.requestId === id);
    assert.match(JSON.stringify(byId(5)), /command\.ids\[0\] must be a 40-character lowercase hex info hash/);
    assert.match(JSON.stringify(byId(6)), /command\.type is not a known command/);
    const noId = c.replies.filter((r) => r.requestId === -1).map((r) => (r.ok ? '' : `${r.error.name}: ${r.error.message}`));
    assert.ok(noId.some((m) => /^InvalidCommand: message is not valid JSON/.test(m)), noId.join('\n'));
    assert.ok(noId.some((m) => /binary frames are not used/.test(m)), noId.join('\n'));
    const settings = await c.send({ type: 'getSettings' });
    assert.equal(typeof settings.listenPort, 'number');
    assert.equal(typeof (await other.send({ type: 'getSettings' })).maxActiveDownloads, 'number');
    assert.equal(c.closed, false);
  });

  test('two clients keep their own detail subscriptions and sequence numbers', async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    const t1 = await makeSmallTorrent(d.root, 'one', 11);
    const t2 = await makeSmallTorrent(d.root, 'two', 22);
    const id1 = (await a.send({ type: 'add', source: { kind: 'torrent', data: t1.data }, paused: true })).id;
    const id2 = (await b.send({ type: 'add', source: { kind: 'torrent', data: t2.data }, paused: true })).id;
    // Details go out when they change (and once after each subscribe), possibly before the reply: mark first.
    const mark = { a: a.events.length, b: b.events.length, c: c.events.length };
    await a.send({ type: 'subscribe', id: id1, topics: ['files', 'pieces'] });
    await b.send({ type: 'subscribe', id: id2, topics: ['files'] });
    const detailsAfter = (cl: WsTestClient, from: number): TorrentDetails[] =>
      cl.events
        .slice(from)
        .filter((e): e is Extract<EngineEvent, { kind: 'batch' }> => e.kind === 'batch')
        .flatMap((e) => (e.details ? [e.details] : []));
    await a.until(() => detailsAfter(a, mark.a).length >= 1, 'details for a');
    await b.until(() => detailsAfter(b, mark.b).length >= 1, 'details for b');
    // A change every client sees: a row of the list.
    await c.send({ type: 'setTorrentOptions', id: id1, options: { downloadLimit: 12_345 } });
    for (const cl of [a, b, c]) await cl.until(() => cl.list.get(id1)?.downloadLimit === 12_345, 'the changed row');
    for (const x of detailsAfter(a, mark.a)) {
      assert.equal(x.id, id1);
      assert.deepEqual(x.files?.map((f) => f.path), ['one/a.bin', 'one/sub/b.bin']);
      assert.ok(x.pieces && x.pieces.have instanceof Uint8Array, 'piece map as bytes');
    }
    for (const x of detailsAfter(b, mark.b)) {
      assert.equal(x.id, id2);
      assert.equal(x.pieces, undefined);
      assert.deepEqual(x.files?.map((f) => f.path), ['two/a.bin', 'two/sub/b.bin']);
    }
    assert.deepEqual(detailsAfter(c, mark.c), [], 'no details for a client that subscribed to none');
    for (const cl of [a, b, c]) {
      assert.equal(cl.gaps, 0);
      const seqs = cl.events.map((e) => e.seq);
      for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, 'consecutive seq per client');
    }
    // A snapshot asked for by one client does not disturb the others' streams.
    await a.send({ type: 'snapshot' });
    await b.until(() => b.list.has(id1) && b.list.has(id2), 'b sees both torrents');
    const nb = b.events.length;
    await a.send({ type: 'setTorrentOptions', id: id2, options: { downloadLimit: 23_456 } });
    await b.until(() => b.list.get(id2)?.downloadLimit === 23_456 && b.events.length > nb, 'b keeps getting batches');
    assert.equal(b.gaps, 0);
    assert.equal(b.events.slice(nb).filter((e) => e.kind === 'snapshot').length, 0);
  });

  test('inspect: a .torrent, a magnet link, and a malformed file (the CLI\'s message)', async () => {
    const c = await connect();
    const t = await makeSmallTorrent(d.root, 'inspected', 33);
    const info = await c.send({ type: 'inspect', source: { kind: 'torrent', data: t.data } });
    const meta = parseTorrent(t.data);
    assert.deepEqual(info, {
      name: 'inspected',
      infoHash: meta.infoHashHex,
      totalBytes: 110_001,
      pieceLength: 16_384,
      pieceCount: 7,
      files: [
        { index: 0, path: 'inspected/a.bin', length: 40_000 },
        { index: 1, path: 'inspected/sub/b.bin', length: 70_001 },
      ],
      fileCount: 2,
      private: false,
      comment: null,
      createdBy: meta.createdBy ?? null,
      metadataKnown: true,
      alreadyAdded: false,
    } satisfies InspectResult);
    assert.equal(c.list.has(meta.infoHashHex), false, 'inspect adds nothing');
    await c.send({ type: 'add', source: { kind: 'torrent', data: t.data }, paused: true });
    assert.equal((await c.send({ type: 'inspect', source: { kind: 'torrent', data: t.data } })).alreadyAdded, true);

    const magnet = await c.send({ type: 'inspect', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=Some%20Name` } });
    assert.equal(magnet.metadataKnown, false);
    assert.equal(magnet.name, 'Some Name');
    assert.equal(magnet.infoHash, 'ab'.repeat(20));
    assert.deepEqual(magnet.files, []);

    const bad = new TextEncoder().encode('d4:infod4:name1:x12:piece lengthi0eee');
    let expected = '';
    try {
      parseTorrent(bad);
    } catch (err) {
      expected = (err as Error).message;
    }
    assert.match(expected, /^torrent: /);
    const r = await c.request({ type: 'inspect', source: { kind: 'torrent', data: bad } });
    assert.deepEqual(r.ok ? null : r.error, { name: 'InvalidCommand', message: expected });
    const badMagnet = await c.request({ type: 'inspect', source: { kind: 'magnet', uri: 'magnet:?dn=x' } });
    assert.ok(!badMagnet.ok && /^magnet: /.test(badMagnet.error.message), JSON.stringify(badMagnet));
  });

  test('a client that closes leaves the others alone; the daemon counts clients', async () => {
    const before = d.server.clientCount;
    const x = await connect();
    await x.until(() => x.events.length > 0, 'snapshot');
    assert.equal(d.server.clientCount, before + 1);
    await x.close();
    await x.until(() => d.server.clientCount === before, 'client count back');
  });
});

describe('daemon: limits', { timeout: 30_000 }, () => {
  test('clients beyond maxClients are refused with 503; a renderer-less daemon says to build it', async () => {
    const d = await startTestDaemon({ maxClients: 2 });
    const open: WsTestClient[] = [];
    try {
      open.push(await WsTestClient.connect(d.wsUrl), await WsTestClient.connect(d.wsUrl));
      assert.equal(await refusal(d.wsUrl), 503);
      const page = await httpGet(d.server.port, '/');
      assert.equal(page.status, 200);
      assert.match(page.body, /npm run build/);
      assert.equal((await httpGet(d.server.port, '/app.js')).status, 404);
      await open[0].until(() => open[0].events[0]?.kind === 'snapshot', 'the API works without the renderer');
    } finally {
      await Promise.all(open.map((c) => c.close()));
      await d.close();
    }
  });
});

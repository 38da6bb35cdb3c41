// HTTP streams against a real download: a libtorrent seeder (rate-limited, so the reads run ahead of the download)
// serves a multi-file torrent with 32 KiB pieces to an in-process Tessera Session on 127.0.0.1, and every byte the
// stream server returns must equal the file: whole files, ranges across piece and file boundaries, concurrent
// readers, a seek backwards, 416 past the end, HEAD; and nothing is served without the file's capability.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, makeTestPayload, makeTorrent, startLibtorrent, withTimeout, type ClientHandle, type Payload } from '../../testing/index.js';
import { Session } from '../../session/session.js';
import type { StreamUrlResult } from '../../api/types.js';
import { ephemeralCapabilities } from '../../daemon/stream-capability.js';
import { startStreamServer, type StreamServer } from '../../daemon/stream-server.js';

const FILES = [
  { path: 'a.bin', size: 1_000_003 },
  { path: 'empty.txt', size: 0 },
  { path: 'tiny.txt', size: 1_234 },
  { path: 'sub/dir/b.bin', size: 2_500_001 },
  { path: 'clip.mp4', size: 1_777_777 },
];

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP streams of a torrent downloading from libtorrent', { timeout: 180_000 }, () => {
  let root: string;
  let payload: Payload;
  let seeder: ClientHandle;
  let session: Session;
  let server: StreamServer;
  let id: string;
  const files = new Map<string, Buffer>();
  const urls = new Map<string, StreamUrlResult>();

  const send = async <T>(command: Parameters<Session['request']>[0]['command']): Promise<T> => {
    const reply = await session.request({ kind: 'request', requestId: 1, command });
    if (!reply.ok) throw new Error(`${command.type}: ${reply.error.message}`);
    return reply.result as T;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-stream-'));
    payload = await makeTestPayload(join(root, 'src'), { name: 'payload', files: FILES, seed: 16 });
    for (const f of FILES) files.set(f.path, await readFile(join(payload.root, ...f.path.split('/'))));
    const torrent = await makeTorrent({ source: payload.root, out: join(root, 'p.torrent'), tiers: [], pieceLengthLog2: 15 });
    // 1.5 MB/s: the whole torrent takes a few seconds, so the first reads wait for pieces still on their way.
    seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(root, 'src'), port: await freePort(), noTrackers: true, uploadLimit: 1_500_000 });
    await withTimeout(seeder.ready, 60_000, 'libtorrent seeder ready');
    session = await Session.open({ dataDir: join(root, 'data'), defaultDownloadDir: join(root, 'dl'), listenHost: '127.0.0.1', listenPort: 0, batchIntervalMs: 50 });
    server = await startStreamServer({ session, capabilities: ephemeralCapabilities() });
    ({ id } = await send<{ id: string }>({ type: 'add', source: { kind: 'torrent', data: await readFile(torrent.file) }, savePath: join(root, 'dl') }));
    await send({ type: 'addPeers', id, peers: [`127.0.0.1:${seeder.port}`] });
    // mktorrent orders the files its own way: find each by path.
    const info = await send<{ files: { index: number; path: string }[] }>({ type: 'getInfo', id });
    for (const f of info.files) urls.set(f.path.replace(/^payload\//, ''), await send<StreamUrlResult>({ type: 'streamUrl', id, file: f.index }));
    assert.equal(urls.size, FILES.length, JSON.stringify(info.files));
  });

  after(async () => {
    await server?.close();
    await session?.close();
    await seeder?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('streamUrl answers an absolute loopback URL, the MIME type, name and length; bad file: NotFound', async () => {
    const clip = urls.get('clip.mp4')!;
    assert.match(clip.url, /^http:\/\/127\.0\.0\.1:\d+\/stream\/[0-9a-f]{64}\/[0-9a-f]{40}\/\d\/clip\.mp4$/);
    assert.deepEqual([clip.contentType, clip.name, clip.length], ['video/mp4', 'clip.mp4', 1_777_777]);
    assert.equal(urls.get('tiny.txt')!.contentType, 'application/octet-stream');
    const bad = await session.request({ kind: 'request', requestId: 2, command: { type: 'streamUrl', id, file: 99 } });
    assert.ok(!bad.ok && bad.error.name === 'NotFound', JSON.stringify(bad));
  });

  test('a whole file read while it downloads equals the file (across piece boundaries), with the right headers', async () => {
    const info = await send<{ pieceCount: number }>({ type: 'getInfo', id });
    assert.ok(info.pieceCount > 100, `${info.pieceCount} pieces of 32 KiB`);
    const got = await withTimeout(get(urls.get('sub/dir/b.bin')!.url), 120_000, 'GET b.bin');
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-length'], '2500001');
    assert.equal(got.headers['accept-ranges'], 'bytes');
    assert.equal(got.headers['content-type'], 'application/octet-stream');
    assert.ok(got.body.equals(files.get('sub/dir/b.bin')!), 'every byte equals the file');
  });

  test('concurrent readers and ranges across piece and file boundaries', async () => {
    const a = files.get('a.bin')!;
    const clip = files.get('clip.mp4')!;
    const tiny = files.get('tiny.txt')!;
    const ranges: [string, string, Buffer][] = [
      ['a.bin', 'bytes=32000-99999', a.subarray(32000, 100000)],
      ['a.bin', 'bytes=-5', a.subarray(a.length - 5)],
      ['clip.mp4', 'bytes=1000000-', clip.subarray(1000000)],
      ['clip.mp4', 'bytes=0-65536', clip.subarray(0, 65537)],
      ['tiny.txt', 'bytes=0-', tiny],
      ['tiny.txt', 'bytes=1233-1233', tiny.subarray(1233)],
    ];
    const results = await withTimeout(Promise.all(ranges.map(([f, r]) => get(urls.get(f)!.url, { Range: r }))), 120_000, 'concurrent range GETs');
    results.forEach((got, i) => {
      const [f, r, want] = ranges[i];
      assert.equal(got.status, 206, `${f} ${r}`);
      assert.equal(Number(got.headers['content-length']), want.length, `${f} ${r}`);
      assert.match(String(got.headers['content-range']), /^bytes \d+-\d+\/\d+$/);
      assert.ok(got.body.equals(want), `${f} ${r}: bytes equal`);
    });
  });

  test('a seek backwards, 416 past the end, HEAD, an empty file', async () => {
    const clip = files.get('clip.mp4')!;
    const url = urls.get('clip.mp4')!.url;
    const late = await get(url, { Range: 'bytes=1700000-1700999' });
    const early = await get(url, { Range: 'bytes=40000-40999' });
    assert.ok(late.body.equals(clip.subarray(1700000, 1701000)) && early.body.equals(clip.subarray(40000, 41000)));
    const past = await get(url, { Range: 'bytes=1777777-' });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], 'bytes */1777777');
    const head = await get(url, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.deepEqual([head.headers['content-length'], head.headers['content-type'], head.body.length], ['1777777', 'video/mp4', 0]);
    const headRange = await get(url, { Range: 'bytes=10-19' }, 'HEAD');
    assert.deepEqual([headRange.status, headRange.headers['content-length'], headRange.headers['content-range']], [206, '10', 'bytes 10-19/1777777']);
    const empty = await get(urls.get('empty.txt')!.url);
    assert.deepEqual([empty.status, empty.headers['content-length'], empty.body.length], [200, '0', 0]);
  });

  test('refused without its capability, with a wrong one, or with another file\'s', async () => {
    const url = new URL(urls.get('a.bin')!.url);
    const [, , cap, hash, index, name] = url.pathname.split('/');
    const base = url.origin;
    const wrong = cap.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const other = new URL(urls.get('tiny.txt')!.url).pathname.split('/')[2];
    for (const path of [`/stream/${hash}/${index}/${name}`, `/stream/${wrong}/${hash}/${index}/${name}`, `/stream/${other}/${hash}/${index}/${name}`, `/stream/${cap}/${hash}/2/${name}`]) {
      const got = await get(base + path);
      assert.equal(got.status, 403, path);
    }
  });
});

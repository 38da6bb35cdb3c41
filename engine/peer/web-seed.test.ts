import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../common/clock.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import { Torrent } from '../torrent/torrent.js';
import { makePeerId } from '../wire/index.js';
import { RangeServer, type RangeServerOptions } from '../testing/range-server.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import type { WebSeedOptions } from './web-seed.js';

/** Fast back-off so error paths run in test time. */
const QUICK: WebSeedOptions = { backoffMs: 50, maxBackoffMs: 200, idleTimeoutMs: 3_000 };

function webSeedTorrent(meta: Metainfo, downloadDir: string, webSeeds: WebSeedOptions = QUICK): Torrent {
  return new Torrent({
    meta,
    downloadDir,
    peerId: makePeerId(),
    listenPort: () => 0,
    clock: systemClock,
    dial: () => Promise.reject(new Error('no peers in this test')),
    useTrackers: false,
    webSeeds,
  });
}

function waitDone(t: Torrent, ms: number): Promise<void> {
  return waitUntil(
    () => t.complete,
    ms,
    () => `${t.have.count}/${t.meta.pieceCount} pieces; web seeds: ${t.webSeeds.map((s) => `${s.url} ${s.state} ${s.lastError ?? ''}`).join('; ')}`,
    () => (t.state === 'error' ? `torrent error: ${t.errorReason}` : null),
  );
}

interface Fixture {
  readonly dir: string;
  readonly files: Record<string, Buffer>;
  readonly meta: Metainfo;
  readonly servers: RangeServer[];
  server(opts?: Omit<RangeServerOptions, 'root'>): Promise<RangeServer>;
  cleanup(): Promise<void>;
}

/** A multi-file payload (names needing URL-encoding, an empty file, a file smaller than a block) under `payload/`. */
async function multiFileFixture(pieceLength = 32_768): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-webseed-'));
  const payload = join(dir, 'srv', 'payload');
  mkdirSync(join(payload, 'sub dir'), { recursive: true });
  const files: Record<string, Buffer> = {
    'a.bin': patternBytes(300_001, 1),
    'empty.txt': Buffer.alloc(0),
    'tiny #1.txt': patternBytes(1_234, 2),
    'sub dir/b%c ü.bin': patternBytes(500_003, 3),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(payload, name), data);
  const meta = parseTorrent(await createTorrent(payload, { pieceLength }));
  return fixture(dir, files, meta);
}

function fixture(dir: string, files: Record<string, Buffer>, meta: Metainfo): Fixture {
  const servers: RangeServer[] = [];
  return {
    dir,
    files,
    meta,
    servers,
    async server(opts = {}) {
      const s = new RangeServer({ root: join(dir, 'srv'), ...opts });
      await s.listen();
      servers.push(s);
      return s;
    },
    async cleanup() {
      await Promise.all(servers.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function assertFiles(downloadDir: string, name: string, files: Record<string, Buffer>): void {
  for (const [path, data] of Object.entries(files)) assert.ok(readFileSync(join(downloadDir, name, path)).equals(data), `${path} byte for byte`);
}

test('a single-file torrent whose only source is a url-list downloads byte for byte', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-webseed-'));
  mkdirSync(join(dir, 'srv'));
  const data = patternBytes(700_001, 7);
  writeFileSync(join(dir, 'srv', 'one file.bin'), data);
  const parsed = parseTorrent(await createTorrent(join(dir, 'srv', 'one file.bin'), { pieceLength: 65_536 }));
  const fx = fixture(dir, {}, parsed);
  try {
    const byName = await fx.server();
    // The base ends in '/': the file name is appended (and its space encoded).
    const t2 = webSeedTorrent({ ...parsed, urlList: [byName.base] }, join(dir, 'dl'));
    await t2.start();
    await waitDone(t2, 20_000);
    await t2.stop();
    assert.ok(readFileSync(join(dir, 'dl', 'one file.bin')).equals(data));
    assert.equal(t2.webSeeds[0].downloadMeter.total, data.length);
    // A URL not ending in '/' names the file itself.
    const exact = await fx.server();
    const t3 = webSeedTorrent({ ...parsed, urlList: [`${exact.base}one%20file.bin`] }, join(dir, 'dl2'));
    await t3.start();
    await waitDone(t3, 20_000);
    await t3.stop();
    assert.ok(readFileSync(join(dir, 'dl2', 'one file.bin')).equals(data));
  } finally {
    await fx.cleanup();
  }
});

test('a multi-file torrent downloads from its web seed over bounded connections, through redirects', { timeout: 30_000 }, async () => {
  const fx = await multiFileFixture();
  const server = await fx.server({ redirects: 2 });
  const t = webSeedTorrent({ ...fx.meta, urlList: [server.base] }, join(fx.dir, 'dl'), { ...QUICK, maxConnections: 2 });
  try {
    await t.start();
    await waitDone(t, 20_000);
    assertFiles(join(fx.dir, 'dl'), 'payload', fx.files);
    assert.equal(t.downloadMeter.total, fx.meta.totalLength);
    assert.ok(server.stats.peakConcurrent <= 2, `at most 2 requests at once (saw ${server.stats.peakConcurrent})`);
    assert.ok(server.stats.redirectsSent >= 2);
  } finally {
    await t.stop();
    await fx.cleanup();
  }
});

test('with a corrupt and a good web seed the download completes and the corrupt one is dropped', { timeout: 30_000 }, async () => {
  const fx = await multiFileFixture();
  const bad = await fx.server({ misbehaviour: 'corrupt' });
  const good = await fx.server({ rateBytesPerSecond: 400_000 });
  const t = webSeedTorrent({ ...fx.meta, urlList: [bad.base, good.base] }, join(fx.dir, 'dl'));
  try {
    await t.start();
    await waitDone(t, 25_000);
    assertFiles(join(fx.dir, 'dl'), 'payload', fx.files);
    const badSeed = t.webSeeds.find((s) => s.url === bad.base);
    assert.equal(badSeed?.state, 'banned', 'the corrupt web seed is dropped');
    assert.match(badSeed?.lastError ?? '', /hash check/);
    assert.ok(t.wastedBytes > 0);
  } finally {
    await t.stop();
    await fx.cleanup();
  }
});

test('a 503 with Retry-After is honoured before the next request', { timeout: 30_000 }, async () => {
  const fx = await multiFileFixture();
  const server = await fx.server({ busyRequests: 1, retryAfterSeconds: 2 });
  const t = webSeedTorrent({ ...fx.meta, urlList: [server.base] }, join(fx.dir, 'dl'), { ...QUICK, maxConnections: 1 });
  try {
    const started = Date.now();
    await t.start();
    await waitDone(t, 20_000);
    assertFiles(join(fx.dir, 'dl'), 'payload', fx.files);
    assert.equal(server.stats.busyAnswers, 1);
    const firstServed = server.stats.requestTimes[0];
    assert.ok(firstServed - started >= 1_900, `waited ${firstServed - started} ms after a Retry-After of 2 s (back-off alone is 50 ms)`);
  } finally {
    await t.stop();
    await fx.cleanup();
  }
});

test('hostile web seeds (huge headers, wrong Content-Range, endless body, redirect loop) cost only themselves', { timeout: 40_000 }, async () => {
  const fx = await multiFileFixture();
  const hostile = [
    await fx.server({ misbehaviour: 'huge-headers' }),
    await fx.server({ misbehaviour: 'wrong-range' }),
    await fx.server({ misbehaviour: 'endless-body' }),
    await fx.server({ redirects: 50 }),
  ];
  const good = await fx.server({ rateBytesPerSecond: 300_000 });
  const t = webSeedTorrent({ ...fx.meta, urlList: [...hostile.map((s) => s.base), good.base] }, join(fx.dir, 'dl'), { ...QUICK, maxFailures: 3 });
  try {
    await t.start();
    await waitDone(t, 30_000);
    assertFiles(join(fx.dir, 'dl'), 'payload', fx.files);
    const byUrl = new Map(t.webSeeds.map((s) => [s.url, s]));
    const errors = hostile.map((s) => byUrl.get(s.base)?.lastError ?? '');
    assert.match(errors[0], /headers exceed/);
    assert.match(errors[1], /Content-Range .* is not the range asked for/);
    assert.match(errors[2], /longer than/);
    assert.match(errors[3], /more than 5 redirects/);
    for (const s of [hostile[0], hostile[1], hostile[3]]) assert.equal(byUrl.get(s.base)?.downloadMeter.total, 0, `${s.opts.misbehaviour} delivered nothing`);
    for (const s of hostile) assert.equal(byUrl.get(s.base)?.state, 'failed', `${s.base} given up`);
    // The endless body was cut off: the server could write only what the socket buffers took.
    assert.ok(hostile[2].stats.bodyBytes < 64 * 1024 * 1024, `endless body read bounded (${hostile[2].stats.bodyBytes} bytes written)`);
  } finally {
    await t.stop();
    await fx.cleanup();
  }
});

test('web seed downloads pass the torrent download limit', { timeout: 30_000 }, async () => {
  const fx = await multiFileFixture();
  const server = await fx.server();
  const t = webSeedTorrent({ ...fx.meta, urlList: [server.base] }, join(fx.dir, 'dl'));
  try {
    t.setLimits({ download: 200_000 });
    const started = Date.now();
    await t.start();
    await waitDone(t, 20_000);
    const seconds = (Date.now() - started) / 1000;
    assertFiles(join(fx.dir, 'dl'), 'payload', fx.files);
    // 801,238 bytes at 200 kB/s, less the bucket's first burst (a quarter second's worth): 3.75 s; unlimited
    // it takes well under a second. Each response waits for the debt earlier ones ran up, so the limit holds
    // across many small ranges too (runs measure 3.77-3.79 s; before that fix CI once saw 1.90 s).
    assert.ok(seconds >= 3.2, `took ${seconds.toFixed(2)} s under a 200 kB/s limit`);
  } finally {
    await t.stop();
    await fx.cleanup();
  }
});

/** A self-signed certificate for 127.0.0.1, made with openssl for this test run. */
function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) throw new Error(`openssl is needed for the HTTPS web seed test (apt-get install openssl): ${r.error?.message ?? r.stderr}`);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

test('an HTTPS web seed is used when its certificate is trusted, and refused when it is not', { timeout: 30_000 }, async () => {
  const fx = await multiFileFixture();
  const tls = selfSignedCert(fx.dir);
  const server = await fx.server({ tls });
  assert.match(server.base, /^https:/);
  const untrusted = webSeedTorrent({ ...fx.meta, urlList: [server.base] }, join(fx.dir, 'dl-untrusted'), { ...QUICK, maxFailures: 1 });
  const trusted = webSeedTorrent({ ...fx.meta, urlList: [server.base] }, join(fx.dir, 'dl'), { ...QUICK, trustedCa: tls.cert });
  try {
    await untrusted.start();
    await waitUntil(() => untrusted.webSeeds[0].state === 'failed', 10_000, () => `state ${untrusted.webSeeds[0].state}`);
    assert.match(untrusted.webSeeds[0].lastError ?? '', /self.signed|certificate/i);
    await trusted.start();
    await waitDone(trusted, 20_000);
    assertFiles(join(fx.dir, 'dl'), 'payload', fx.files);
  } finally {
    await untrusted.stop();
    await trusted.stop();
    await fx.cleanup();
  }
});

// v2-only torrents are not downloadable yet (torrent-runner refuses them); hybrid ones are, with pad files.
for (const format of ['hybrid'] as const) {
  test(`a ${format} torrent (files piece-aligned, padding never fetched) downloads from its web seed`, { timeout: 30_000 }, async () => {
    const fx = await multiFileFixture();
    const meta = parseTorrent(await createTorrent(join(fx.dir, 'srv', 'payload'), { pieceLength: 32_768, format }));
    const server = await fx.server();
    const t = webSeedTorrent({ ...meta, urlList: [server.base] }, join(fx.dir, 'dl'));
    try {
      await t.start();
      await waitDone(t, 20_000);
      assertFiles(join(fx.dir, 'dl'), 'payload', fx.files);
      assert.equal(t.webSeeds[0].state === 'idle' || t.webSeeds[0].state === 'downloading', true, `web seed ${t.webSeeds[0].state}: ${t.webSeeds[0].lastError ?? ''}`);
    } finally {
      await t.stop();
      await fx.cleanup();
    }
  });
}

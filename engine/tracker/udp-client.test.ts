import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { ManualClock } from '../common/clock.js';
import { TrackerError } from './errors.js';
import { UdpTrackerClient, parseUdpTrackerUrl } from './udp-client.js';
import { UDP_ACTION, decodeAnnounceRequest, decodeConnectRequest, decodeScrapeRequest } from './udp-codec.js';
import type { AnnounceParams } from './types.js';

const T = { timeout: 10_000 };
const params: AnnounceParams = {
  infoHash: new Uint8Array(20).fill(0xaa),
  peerId: new Uint8Array(Buffer.from('-TS0001-000000000000')),
  port: 6881,
  uploaded: 1,
  downloaded: 2,
  left: 3,
  event: 'started',
  numwant: 50,
  key: 0x1234,
};

interface FakeOptions {
  /** Return false to drop the packet (simulating loss). */
  filter?: (action: number, count: number) => boolean;
  /** Reply to announces with an error instead. */
  errorMessage?: string;
}

/** A BEP 15 tracker on 127.0.0.1 that records what it receives. */
class FakeTracker {
  readonly sock = dgram.createSocket('udp4');
  readonly received: { action: number; connectionId?: bigint }[] = [];
  connects = 0;
  announces = 0;
  private counts = new Map<number, number>();
  private nextConnId = 0x1000n;
  private issued = new Set<bigint>();
  constructor(private readonly opts: FakeOptions = {}) {}

  async listen(): Promise<number> {
    this.sock.on('message', (msg, rinfo) => this.handle(new Uint8Array(msg), rinfo));
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', () => r()));
    return this.sock.address().port;
  }

  private reply(buf: Buffer, rinfo: dgram.RemoteInfo) {
    this.sock.send(buf, rinfo.port, rinfo.address);
  }

  private handle(msg: Uint8Array, rinfo: dgram.RemoteInfo) {
    const action = Buffer.from(msg).readUInt32BE(8);
    const n = (this.counts.get(action) ?? 0) + 1;
    this.counts.set(action, n);
    if (this.opts.filter && !this.opts.filter(action, n)) return;
    if (action === UDP_ACTION.connect) {
      const { transactionId } = decodeConnectRequest(msg);
      this.connects++;
      const id = this.nextConnId++;
      this.issued.add(id);
      this.received.push({ action });
      const out = Buffer.alloc(16);
      out.writeUInt32BE(0, 0);
      out.writeUInt32BE(transactionId, 4);
      out.writeBigUInt64BE(id, 8);
      return this.reply(out, rinfo);
    }
    if (action === UDP_ACTION.announce) {
      const req = decodeAnnounceRequest(msg);
      this.announces++;
      this.received.push({ action, connectionId: req.connectionId });
      if (!this.issued.has(req.connectionId) || this.opts.errorMessage) {
        const text = Buffer.from(this.opts.errorMessage ?? 'bad connection id');
        const out = Buffer.alloc(8 + text.length);
        out.writeUInt32BE(3, 0);
        out.writeUInt32BE(req.transactionId, 4);
        text.copy(out, 8);
        return this.reply(out, rinfo);
      }
      const out = Buffer.alloc(20 + 12);
      out.writeUInt32BE(1, 0);
      out.writeUInt32BE(req.transactionId, 4);
      out.writeUInt32BE(1800, 8);
      out.writeUInt32BE(2, 12); // leechers
      out.writeUInt32BE(5, 16); // seeders
      Buffer.from([127, 0, 0, 2, 0x05, 0x39, 127, 0, 0, 3, 0x05, 0x3a]).copy(out, 20);
      // a stray reply with the wrong transaction id first: must be ignored
      const stray = Buffer.from(out);
      stray.writeUInt32BE((req.transactionId + 1) >>> 0, 4);
      this.reply(stray, rinfo);
      return this.reply(out, rinfo);
    }
    if (action === UDP_ACTION.scrape) {
      const req = decodeScrapeRequest(msg);
      this.received.push({ action, connectionId: req.connectionId });
      const out = Buffer.alloc(8 + 12 * req.infoHashes.length);
      out.writeUInt32BE(2, 0);
      out.writeUInt32BE(req.transactionId, 4);
      req.infoHashes.forEach((h, i) => {
        out.writeUInt32BE(h[0], 8 + 12 * i); // seeders = first byte of the hash
        out.writeUInt32BE(10, 12 + 12 * i);
        out.writeUInt32BE(20, 16 + 12 * i);
      });
      return this.reply(out, rinfo);
    }
  }

  close() {
    this.sock.close();
  }
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

async function setup(fakeOpts: FakeOptions = {}, clientOpts: ConstructorParameters<typeof UdpTrackerClient>[0] = {}) {
  const fake = new FakeTracker(fakeOpts);
  const port = await fake.listen();
  cleanup.push(() => fake.close());
  const client = new UdpTrackerClient({ baseTimeoutMs: 100, ...clientOpts });
  cleanup.push(() => client.close());
  return { fake, client, url: `udp://127.0.0.1:${port}/announce` };
}

test('connect + announce', T, async () => {
  const { fake, client, url } = await setup();
  const r = await client.announce(url, params, { timeoutMs: 5000 });
  assert.deepEqual(r, {
    interval: 1800,
    complete: 5,
    incomplete: 2,
    peers: [
      { host: '127.0.0.2', port: 1337 },
      { host: '127.0.0.3', port: 1338 },
    ],
  });
  assert.equal(fake.connects, 1);
  assert.equal(fake.announces, 1);
});

test('connection id is reused within 60 s and renewed after', T, async () => {
  const clock = new ManualClock(1000);
  const { fake, client, url } = await setup({}, { clock });
  await client.announce(url, params, { timeoutMs: 5000 });
  clock.advance(59_000);
  await client.announce(url, params, { timeoutMs: 5000 });
  assert.equal(fake.connects, 1);
  const [first, second] = fake.received.filter((x) => x.action === UDP_ACTION.announce);
  assert.equal(first.connectionId, second.connectionId);
  clock.advance(1_000);
  await client.announce(url, params, { timeoutMs: 5000 });
  assert.equal(fake.connects, 2);
  assert.equal(fake.announces, 3);
});

test('retransmits after a dropped connect and a dropped announce', T, async () => {
  const { fake, client, url } = await setup({ filter: (action, n) => n > 1 || (action !== UDP_ACTION.connect && action !== UDP_ACTION.announce) });
  const t0 = Date.now();
  const r = await client.announce(url, params, { timeoutMs: 5000 });
  assert.equal(r.peers.length, 2);
  // connect dropped (100 ms), reconnect answered, announce dropped (200 ms), then a fresh connect and announce (400 ms window)
  assert.ok(Date.now() - t0 >= 280, `took ${Date.now() - t0} ms`);
  assert.ok(fake.connects >= 2);
});

test('gives up after maxRetries with a timeout error', T, async () => {
  const { client, url } = await setup({ filter: () => false }, { baseTimeoutMs: 20, maxRetries: 2 });
  await assert.rejects(client.announce(url, params, { timeoutMs: 5000 }), (e: unknown) => e instanceof TrackerError && e.kind === 'timeout' && /no response after 3 attempts/.test(e.message));
});

test('overall timeout', T, async () => {
  const { client, url } = await setup({ filter: () => false });
  await assert.rejects(client.announce(url, params, { timeoutMs: 250 }), { name: 'TrackerError', message: `tracker ${url}: timed out after 0.3 s` });
});

test('error response', T, async () => {
  const { client, url } = await setup({ errorMessage: 'unregistered torrent' });
  await assert.rejects(client.announce(url, params, { timeoutMs: 5000 }), (e: unknown) => e instanceof TrackerError && e.kind === 'failure' && e.message === `tracker ${url}: unregistered torrent`);
});

test('abort', T, async () => {
  const { client, url } = await setup({ filter: () => false });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(client.announce(url, params, { timeoutMs: 5000, signal: ac.signal }), (e: unknown) => e instanceof TrackerError && e.kind === 'aborted');
});

test('scrape, one and many', T, async () => {
  const { client, url } = await setup();
  assert.deepEqual(await client.scrape(url, new Uint8Array(20).fill(7), { timeoutMs: 5000 }), { complete: 7, downloaded: 10, incomplete: 20 });
  const many = await client.scrapeMany(url, [new Uint8Array(20).fill(1), new Uint8Array(20).fill(2)], { timeoutMs: 5000 });
  assert.deepEqual(many.map((m) => m.complete), [1, 2]);
});

test('IPv6 loopback', T, async (t) => {
  const sock = dgram.createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '::1', () => resolve());
    });
  } catch {
    sock.close();
    t.skip('no IPv6 loopback here');
    return;
  }
  cleanup.push(() => sock.close());
  sock.on('message', (msg, rinfo) => {
    const b = Buffer.from(msg);
    const action = b.readUInt32BE(8);
    const tid = b.readUInt32BE(12);
    const out = action === 0 ? Buffer.alloc(16) : Buffer.alloc(20 + 18);
    out.writeUInt32BE(action, 0);
    out.writeUInt32BE(tid, 4);
    if (action === 0) out.writeBigUInt64BE(42n, 8);
    else {
      out.writeUInt32BE(900, 8);
      out[20 + 15] = 1;
      out.writeUInt16BE(9999, 20 + 16);
    }
    sock.send(out, rinfo.port, rinfo.address);
  });
  const client = new UdpTrackerClient({ baseTimeoutMs: 100 });
  cleanup.push(() => client.close());
  const r = await client.announce(`udp://[::1]:${sock.address().port}`, params, { timeoutMs: 5000 });
  assert.deepEqual(r.peers, [{ host: '::1', port: 9999 }]);
  assert.equal(r.interval, 900);
});

test('URL parsing', () => {
  assert.deepEqual(parseUdpTrackerUrl('udp://tracker.example.org:1337/announce'), { host: 'tracker.example.org', port: 1337 });
  assert.deepEqual(parseUdpTrackerUrl('udp://[2001:db8::1]:80'), { host: '2001:db8::1', port: 80 });
  assert.throws(() => parseUdpTrackerUrl('udp://tracker.example.org/announce'), TrackerError);
  assert.throws(() => parseUdpTrackerUrl('http://tracker.example.org:80/announce'), TrackerError);
  assert.throws(() => parseUdpTrackerUrl('not a url'), TrackerError);
});

test('closed client rejects in-flight requests', T, async () => {
  const { client, url } = await setup({ filter: () => false });
  const p = client.announce(url, params, { timeoutMs: 5000 });
  setTimeout(() => client.close(), 30);
  await assert.rejects(p, (e: unknown) => e instanceof TrackerError && e.kind === 'aborted');
});

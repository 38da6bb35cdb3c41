// The doctor from real situations on loopback (issue 17, must-show 2): each test builds the situation with real
// peers, trackers or settings, asks the session `diagnose`, and checks the top reason and its action.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiagnosisReason } from '../../api/types.js';
import { createTorrent } from '../../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../../metainfo/index.js';
import { Client } from '../../session/client.js';
import { SessionHarness } from '../../session/test-harness.js';
import { freePort, patternBytes, startLibtorrent, stopAll } from '../../testing/index.js';
import { startHostilePeer } from '../../testing/hostile-peer.js';

const PIECE = 32_768;
const root = mkdtempSync(join(tmpdir(), 'tessera-doctor-'));
let counter = 0;

after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/** A two-file payload (`a.bin`, `b.bin`) in its own folder and its .torrent; `tiers`: its trackers. */
async function payload(sizes: { a: number; b: number }, tiers: string[][] = []): Promise<{ dir: string; data: Uint8Array; meta: Metainfo; file: string; seed: number }> {
  const seed = ++counter;
  const dir = join(root, `seed-${seed}`);
  mkdirSync(join(dir, 'payload'), { recursive: true });
  writeFileSync(join(dir, 'payload', 'a.bin'), patternBytes(sizes.a, seed * 2));
  writeFileSync(join(dir, 'payload', 'b.bin'), patternBytes(sizes.b, seed * 2 + 1));
  const data = await createTorrent(join(dir, 'payload'), { pieceLength: PIECE, tiers });
  const file = join(root, `t-${seed}.torrent`);
  writeFileSync(file, data);
  return { dir, data, meta: parseTorrent(data), file, seed };
}

/** A Tessera seeder (plain Client) serving what it has verified of `dir`. */
async function tesseraSeeder(meta: Metainfo, dir: string): Promise<Client> {
  const seeder = new Client({ host: '127.0.0.1' });
  await seeder.listen();
  await seeder.add(meta, { downloadDir: dir, useTrackers: false }).start();
  return seeder;
}

/** Asks `diagnose` until the top reason has `code`; returns every reason then. */
async function untilTop(h: SessionHarness, id: string, code: string, ms: number): Promise<DiagnosisReason[]> {
  const started = Date.now();
  let last: DiagnosisReason[] = [];
  while (Date.now() - started < ms) {
    last = (await h.send({ type: 'diagnose', id })).reasons;
    if (last[0]?.code === code) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`top reason not ${code} after ${ms} ms: ${JSON.stringify(last.map((r) => [r.code, r.message]))}`);
}

let harness: SessionHarness;
before(async () => {
  harness = await SessionHarness.open();
});
after(async () => {
  await harness?.close();
});

async function add(data: Uint8Array, name: string): Promise<string> {
  const { id } = await harness.send({ type: 'add', source: { kind: 'torrent', data }, savePath: join(root, `leech-${name}`) });
  return id;
}

async function removeAll(): Promise<void> {
  const ids = [...harness.list.keys()];
  if (ids.length) await harness.send({ type: 'remove', ids, deleteData: true });
  await harness.send({ type: 'setSettings', settings: { downloadLimit: null, maxActiveDownloads: 5, encryption: 'prefer' } });
}

test('a dead tracker (HTTP 500) and no peers: "no peers", naming the tracker and its error; action "add trackers"', { timeout: 40_000 }, async () => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('tracker is down');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/announce`;
  try {
    const { data } = await payload({ a: PIECE * 4, b: PIECE * 4 }, [[url]]);
    const id = await add(data, 'dead-tracker');
    const [top] = await untilTop(harness, id, 'noPeers', 30_000);
    // The tracker's error arrives after its first announce fails; wait for the message to carry it.
    const reasons = await waitFor(async () => (await harness.send({ type: 'diagnose', id })).reasons, (r) => r[0].message.includes(url) && /500/.test(r[0].message), 20_000);
    assert.equal(top.severity, 'blocking');
    assert.equal(reasons[0].action?.kind, 'addTrackers');
    assert.equal(reasons[0].numbers.trackersFailing, 1);
    assert.match(reasons[0].message, /DHT off/);
    await harness.until(() => harness.get(id).why?.startsWith('no peers: tracker error') === true, 'the Status column says why');
  } finally {
    await removeAll();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a seeder that never unchokes us: "all peers choking"', { timeout: 40_000 }, async () => {
  const { data, meta } = await payload({ a: PIECE * 4, b: PIECE * 4 });
  const peer = await startHostilePeer(meta.infoHash, meta.pieceCount, 'never-unchoke');
  try {
    const id = await add(data, 'choking');
    await harness.send({ type: 'addPeers', id, peers: [`127.0.0.1:${peer.port}`] });
    const [top] = await untilTop(harness, id, 'allChoking', 30_000);
    assert.equal(top.severity, 'blocking');
    assert.equal(top.numbers.peers, 1);
    assert.ok(top.numbers.chokedSeconds >= 10, `choked for ${top.numbers.chokedSeconds} s`);
    await harness.until(() => harness.get(id).why === 'all 1 peer choking us', 'the Status column says why');
  } finally {
    await removeAll();
    await peer.close();
  }
});

test('the only seeder lacks half the pieces: "availability below 1" with the missing bytes and file', { timeout: 40_000 }, async () => {
  const { data, meta, dir } = await payload({ a: PIECE * 8, b: PIECE * 8 });
  // The seeder's copy of b.bin is damaged: it verifies only a.bin's eight pieces, and serves those.
  writeFileSync(join(dir, 'payload', 'b.bin'), Buffer.alloc(PIECE * 8, 0x00));
  const seeder = await tesseraSeeder(meta, dir);
  try {
    const id = await add(data, 'half');
    await harness.send({ type: 'addPeers', id, peers: [`127.0.0.1:${seeder.port}`] });
    await harness.until(() => harness.get(id).doneBytes === PIECE * 8, 'half of it downloaded', 20_000);
    const [top] = await untilTop(harness, id, 'availability', 10_000);
    assert.equal(top.severity, 'blocking');
    assert.equal(top.numbers.missingBytes, PIECE * 8);
    assert.equal(top.numbers.missingPieces, 8);
    assert.equal(top.numbers.files, 1);
    assert.match(top.message, /payload\/b\.bin \(256 KiB missing\)/);
  } finally {
    await removeAll();
    await seeder.close();
  }
});

test('our global download limit at 100 KiB/s: "global limit" with "raise limit"', { timeout: 60_000 }, async () => {
  const { data, meta, dir } = await payload({ a: 3_000_000, b: 1_000_000 });
  const seeder = await tesseraSeeder(meta, dir);
  try {
    await harness.send({ type: 'setSettings', settings: { downloadLimit: 102_400 } });
    const id = await add(data, 'limited');
    await harness.send({ type: 'addPeers', id, peers: [`127.0.0.1:${seeder.port}`] });
    const [top] = await untilTop(harness, id, 'globalLimit', 30_000);
    assert.equal(top.severity, 'limiting');
    assert.equal(top.numbers.limit, 102_400);
    assert.deepEqual(top.action, { kind: 'raiseLimit', label: 'Raise limit', dialog: 'settings' });
    await harness.until(() => harness.get(id).why === 'global limit 100 KiB/s', 'the Status column says why');
    // The action's effect: with the limit lifted, the reason goes.
    await harness.send({ type: 'setSettings', settings: { downloadLimit: null } });
    await waitFor(async () => (await harness.send({ type: 'diagnose', id })).reasons, (r) => !r.some((x) => x.code === 'globalLimit'), 10_000);
  } finally {
    await removeAll();
    await seeder.close();
  }
});

test('a full queue (one download slot, two torrents): "queued" with "force start", and force start runs it', { timeout: 40_000 }, async () => {
  await harness.send({ type: 'setSettings', settings: { maxActiveDownloads: 1 } });
  try {
    const first = await add((await payload({ a: PIECE * 2, b: PIECE * 2 })).data, 'q1');
    const second = await add((await payload({ a: PIECE * 2, b: PIECE * 2 })).data, 'q2');
    await harness.until(() => harness.get(second).state === 'queued', 'the second one queued');
    const [top] = await untilTop(harness, second, 'queued', 10_000);
    assert.equal(top.severity, 'blocking');
    assert.equal(top.numbers.position, 2);
    assert.equal(top.numbers.slots, 1);
    assert.equal(top.action?.kind, 'forceStart');
    // The first one runs, with nothing to find peers by: no trackers, DHT off.
    assert.equal((await harness.send({ type: 'diagnose', id: first })).reasons[0].code, 'noTrackers');
    await harness.send({ type: 'forceStart', ids: [second], enabled: true });
    await harness.until(() => harness.get(second).state !== 'queued', 'force start took it out of the queue');
    await waitFor(async () => (await harness.send({ type: 'diagnose', id: second })).reasons, (r) => r[0]?.code !== 'queued', 10_000);
  } finally {
    await removeAll();
  }
});

test('encryption required against a plaintext-only libtorrent seeder: "encryption refuses peers" with "allow unencrypted"', { timeout: 90_000 }, async () => {
  const { meta, file, dir } = await payload({ a: PIECE * 4, b: PIECE * 4 });
  const seeder = await startLibtorrent({ role: 'seed', torrentFile: file, dataDir: dir, port: await freePort(), noTrackers: true, encryption: 'disabled' });
  try {
    await seeder.ready;
    await harness.send({ type: 'setSettings', settings: { encryption: 'require' } });
    const id = await add(await torrentBytes(file), 'encrypted');
    assert.equal(id, meta.infoHashHex);
    await harness.send({ type: 'addPeers', id, peers: [`127.0.0.1:${seeder.port}`] });
    const [top] = await untilTop(harness, id, 'encryptionRefused', 40_000);
    assert.equal(top.severity, 'blocking');
    assert.ok(top.numbers.refusedOutgoing >= 1, JSON.stringify(top.numbers));
    assert.equal(top.action?.kind, 'allowUnencrypted');
    // The action: allow unencrypted peers; the peers it refused are dialled again, and the download goes through.
    await harness.send({ type: 'setSettings', settings: { encryption: 'prefer' } });
    await harness.until(() => harness.get(id).progress === 1, 'downloaded once plaintext was allowed', 30_000);
  } finally {
    await removeAll();
    await seeder.stop();
  }
});

async function torrentBytes(file: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  return new Uint8Array(await readFile(file));
}

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const started = Date.now();
  let last: T = await get();
  while (!ok(last)) {
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await get();
  }
  return last;
}

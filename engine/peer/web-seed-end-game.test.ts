// End game with a web seed: blocks another source delivered first are neither handed over nor given back, and a
// connection left with nothing wanted aborts its HTTP request (the loser is cancelled, not left to finish).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../common/clock.js';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { PiecePicker, type BlockRequest } from '../picker/index.js';
import type { PeerConnection } from './connection.js';
import { WebSeeds } from './web-seeds.js';
import { RangeServer } from '../testing/range-server.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { WebSeed, type WebSeedHost } from './web-seed.js';

const PIECE = 4 * BLOCK_SIZE;

test('blocks delivered by another source are dropped from a web seed request, which is aborted once none is left', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ws-endgame-'));
  const data = patternBytes(PIECE, 7);
  writeFileSync(join(dir, 'f.bin'), data);
  // 32 KiB/s: the piece's four blocks take about 2 s, so the test acts while the request is running
  const server = new RangeServer({ root: dir, rateBytesPerSecond: 32 * 1024 });
  await server.listen();
  const delivered: number[] = [];
  const givenBack: number[] = [];
  let picked = false;
  const host: WebSeedHost = {
    clock: systemClock,
    geometry: new PieceGeometry(PIECE, PIECE),
    layout: { multiFile: false, files: [{ path: ['f.bin'], length: PIECE, offset: 0, padding: false }] },
    limiters: [],
    canRequest: () => true,
    pick: (_id: number, _max: number, out: BlockRequest[]) => {
      if (picked) return 0;
      picked = true;
      for (let b = 0; b < 4; b++) out.push({ piece: 0, begin: b * BLOCK_SIZE, length: BLOCK_SIZE });
      return 4;
    },
    giveBack: (_piece, begin) => givenBack.push(begin),
    deliver: (_seed, _piece, begin, bytes) => {
      assert.ok(Buffer.from(bytes).equals(data.subarray(begin, begin + BLOCK_SIZE)));
      delivered.push(begin);
    },
    log: () => undefined,
  };
  const seed = new WebSeed(`${server.base}f.bin`, 1 << 30, host, { maxConnections: 1, minRequestBytes: 1 });
  try {
    seed.refill();
    const [id] = seed.ids;
    assert.ok(seed.busy);
    await waitUntil(() => delivered.length >= 1, 5_000, () => `delivered ${delivered.join(',')}`);
    // a peer delivers the later blocks first, while the web seed is still on the early ones
    const started = Date.now();
    assert.equal(seed.lostBlock(id, 0, 3 * BLOCK_SIZE), true);
    assert.equal(seed.lostBlock(id, 0, 3 * BLOCK_SIZE), false, 'already forgotten');
    assert.equal(seed.lostBlock(id + 1, 0, 2 * BLOCK_SIZE), false, 'not a request of that connection');
    assert.ok(seed.busy, 'blocks still wanted: the request goes on');
    const undelivered = [1, 2].map((b) => b * BLOCK_SIZE).filter((begin) => !delivered.includes(begin));
    for (const begin of undelivered) assert.equal(seed.lostBlock(id, 0, begin), true);
    await waitUntil(() => !seed.busy, 1_000, () => 'the request was not aborted');
    assert.ok(Date.now() - started < 1_000, 'aborted, not run to its end');
    assert.ok(!delivered.includes(3 * BLOCK_SIZE), `lost block handed over: ${delivered.join(',')}`);
    for (const begin of undelivered) assert.ok(!delivered.includes(begin), `lost block ${begin} handed over`);
    assert.deepEqual(givenBack, [], 'lost blocks are not given back to the picker (it already forgot them)');
    assert.equal(seed.state, 'idle');
  } finally {
    seed.shutdown();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the torrent's web seeds: a block a peer delivered first is cancelled at the web seed and in the picker", { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ws-endgame-'));
  const data = patternBytes(PIECE, 9);
  writeFileSync(join(dir, 'f.bin'), data);
  const server = new RangeServer({ root: dir, rateBytesPerSecond: 16 * 1024 });
  await server.listen();
  const geometry = new PieceGeometry(PIECE, PIECE);
  const picker = new PiecePicker(geometry);
  const received: number[] = [];
  const seeds = new WebSeeds(
    { urls: [`${server.base}f.bin`], layout: { multiFile: false, files: [{ path: ['f.bin'], length: PIECE, offset: 0, padding: false }] }, options: { maxConnections: 1 } },
    systemClock,
    geometry,
    picker,
    { downloading: true, diskBusy: false, blockReceived: (_s, _p, begin) => received.push(begin), log: () => undefined },
    [],
  );
  try {
    seeds.refill();
    const [seed] = seeds.list;
    const [id] = seed.ids;
    for (let b = 0; b < 4; b++) assert.deepEqual(picker.requestersOf(0, b * BLOCK_SIZE), [id], `block ${b} requested from the web seed`);
    // a peer (not a web seed) delivers every block first
    const peer = {} as PeerConnection;
    for (let b = 0; b < 4; b++) {
      picker.blockReceived(0, b * BLOCK_SIZE);
      seeds.cancelDuplicates(peer, 0, b * BLOCK_SIZE, picker.requestersOf(0, b * BLOCK_SIZE));
      assert.deepEqual(picker.requestersOf(0, b * BLOCK_SIZE), [], `block ${b}: the web seed's request is cancelled in the picker`);
    }
    await waitUntil(() => !seed.busy, 1_000, () => 'the web seed request was not aborted');
    assert.deepEqual(received, [], 'nothing handed over twice');
  } finally {
    seeds.closeAll();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

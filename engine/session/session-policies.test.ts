// Stalled handling, seeding goals, sequential order and rate limits, driven through the protocol.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../common/clock.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import { Client } from './client.js';
import { patternBytes } from '../testing/wait.js';
import { SessionHarness } from './test-harness.js';

/** Real time plus an offset the test can jump forward (timers stay real). */
class JumpClock implements Clock {
  private offset = 0;
  now(): number {
    return performance.now() + this.offset;
  }
  jump(ms: number): void {
    this.offset += ms;
  }
}

let root: string;
let seeder: Client;
let big: { bytes: Uint8Array; meta: Metainfo };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tessera-policies-'));
  const src = join(root, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'big.bin'), patternBytes(4_000_000, 11));
  const bytes = await createTorrent(join(src, 'big.bin'), { pieceLength: 32_768 });
  big = { bytes, meta: parseTorrent(bytes) };
  seeder = new Client({ host: '127.0.0.1' });
  await seeder.listen();
  await seeder.add(big.meta, { downloadDir: src, useTrackers: false }).start();
});

after(async () => {
  await seeder?.close();
  rmSync(root, { recursive: true, force: true });
});

const peerArg = (): string => `127.0.0.1:${seeder.port}`;

describe('session policies, through the protocol', { timeout: 120_000 }, () => {
  test('a download with no payload for the stall time counts as stalled and frees its slot', async () => {
    const clock = new JumpClock();
    const h = await SessionHarness.open({ extra: { clock } });
    try {
      await h.send({ type: 'setSettings', settings: { maxActiveDownloads: 1, stalledAfterMinutes: 5 } });
      const a = await h.send({ type: 'add', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${'a'.repeat(40)}&dn=nobody-has-this` } });
      const local = mkdtempSync(join(root, 'lonely-'));
      writeFileSync(join(local, 'x.bin'), patternBytes(20_000, 2));
      const lonely = await createTorrent(join(local, 'x.bin'), { pieceLength: 16_384 });
      const b = await h.send({ type: 'add', source: { kind: 'torrent', data: lonely } });
      await h.until(() => h.get(a.id).state === 'metadata' && h.get(b.id).state === 'queued', 'first fetches metadata, second waits');
      // A torrent without metadata is not "downloading"; pause it and use the lonely one instead.
      await h.send({ type: 'pause', ids: [a.id] });
      await h.until(() => h.get(b.id).state === 'downloading', 'the lonely torrent runs');
      const c = await h.send({ type: 'add', source: { kind: 'torrent', data: big.bytes } });
      await h.until(() => h.get(c.id).state === 'queued', 'third waits for the slot');
      clock.jump(6 * 60_000);
      await h.until(() => h.get(b.id).state === 'stalled', 'no payload for 6 minutes: stalled');
      assert.match(h.get(b.id).stateReason, /stalled/);
      await h.until(() => h.get(c.id).state !== 'queued', 'the stalled torrent freed its slot');
    } finally {
      await h.close();
    }
  });

  test('seeding goals: a ratio limit pauses the torrent once reached; a seeding-time limit likewise', async () => {
    const clock = new JumpClock();
    const h = await SessionHarness.open({ extra: { clock } });
    try {
      const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: big.bytes } });
      await h.send({ type: 'addPeers', id, peers: [peerArg()] });
      await h.send({ type: 'setTorrentOptions', id, options: { seedTimeLimitMinutes: 10 } });
      await h.until(() => h.get(id).state === 'seeding', 'download completes', 30_000);
      clock.jump(11 * 60_000);
      await h.until(() => h.get(id).state === 'paused', 'seeding time reached: paused');
      assert.ok(h.log.some((l) => /seeding goal reached/.test(l)));

      await h.send({ type: 'setTorrentOptions', id, options: { seedTimeLimitMinutes: null, ratioLimit: 0 } });
      await h.send({ type: 'resume', ids: [id] });
      await h.until(() => h.get(id).state === 'paused' && h.log.filter((l) => /seeding goal reached \(ratio/.test(l)).length > 0, 'ratio 0 reached at once: paused again');
    } finally {
      await h.close();
    }
  });

  test('a complete torrent whose files vanished goes to an error that says what to do; recheck downloads again', async () => {
    const h = await SessionHarness.open();
    try {
      const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: big.bytes } });
      await h.send({ type: 'addPeers', id, peers: [peerArg()] });
      await h.until(() => h.get(id).state === 'seeding', 'complete', 30_000);
      await h.send({ type: 'pause', ids: [id] });
      await h.until(() => h.get(id).state === 'paused', 'paused');
      rmSync(join(h.downloadDir, 'big.bin'));
      await h.send({ type: 'resume', ids: [id] });
      await h.until(() => h.get(id).state === 'error', 'error state');
      assert.match(h.get(id).stateReason, /^files missing: big\.bin is gone\. Put the files back/);
      assert.ok(h.notices.some((n) => n.type === 'error' && n.id === id));
      await h.send({ type: 'recheck', ids: [id] });
      await h.send({ type: 'addPeers', id, peers: [peerArg()] });
      await h.until(() => h.get(id).state === 'seeding', 'downloaded again after a recheck', 30_000);
    } finally {
      await h.close();
    }
  });

  test('sequential download fetches pieces in order; a download limit set through settings holds', async () => {
    seeder.setGlobalLimits({ upload: 600_000 });
    const h = await SessionHarness.open();
    try {
      const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: big.bytes }, paused: true });
      await h.send({ type: 'setTorrentOptions', id, options: { sequential: true } });
      await h.send({ type: 'subscribe', id, topics: ['pieces'] });
      await h.send({ type: 'resume', ids: [id] });
      await h.send({ type: 'addPeers', id, peers: [peerArg()] });
      await h.until(() => h.get(id).sequential && h.get(id).progress > 0.3, 'a third downloaded', 30_000);
      const map = h.details!.pieces!;
      let have = 0;
      let prefix = -1;
      for (let i = 0; i < map.pieceCount; i++) {
        const bit = (map.have[i >> 3] & (0x80 >> (i & 7))) !== 0;
        if (bit) have++;
        if (!bit && prefix < 0) prefix = i;
      }
      assert.ok(have >= prefix && have - prefix <= 8, `pieces arrive in order: ${have} verified, first gap at ${prefix}`);

      // Our limit first, then lift the seeder's: the other order lets the rest arrive unlimited in between.
      await h.send({ type: 'setSettings', settings: { downloadLimit: 400_000 } });
      seeder.setGlobalLimits({ upload: null });
      await new Promise((r) => setTimeout(r, 1000));
      const start = h.get(id).doneBytes;
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 3000));
      const rate = (h.get(id).doneBytes - start) / ((Date.now() - t0) / 1000);
      assert.ok(h.get(id).doneBytes < h.get(id).wantedBytes, 'still downloading at the end of the window, so the rate is the limit at work');
      assert.ok(rate > 200_000 && rate < 560_000, `download limited to about 400 kB/s: ${Math.round(rate)} B/s`);
      assert.equal(h.global?.downloadLimit, 400_000);
    } finally {
      seeder.setGlobalLimits({ upload: null });
      await h.close();
    }
  });
});

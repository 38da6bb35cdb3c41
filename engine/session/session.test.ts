import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import { Client } from './client.js';
import { startTracker, type LocalTracker } from '../testing/tracker.js';
import { patternBytes } from '../testing/wait.js';
import { SessionHarness } from './test-harness.js';

let root: string;
let tracker: LocalTracker;
let seeder: Client;
/** A two-file torrent seeded by an in-process Client through a local tracker. */
let seeded: { bytes: Uint8Array; meta: Metainfo; dir: string };

async function makeTorrent(name: string, files: Record<string, number>, announce: string[]): Promise<{ bytes: Uint8Array; meta: Metainfo; dir: string }> {
  const dir = join(root, `src-${name}`);
  let seed = 1;
  for (const [path, size] of Object.entries(files)) {
    mkdirSync(join(dir, name, ...path.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(dir, name, ...path.split('/')), patternBytes(size, seed++));
  }
  const bytes = await createTorrent(join(dir, name), { pieceLength: 16_384, trackers: announce });
  return { bytes, meta: parseTorrent(bytes), dir };
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tessera-session-test-'));
  tracker = await startTracker({ intervalSeconds: 2 });
  seeded = await makeTorrent('album', { 'one.bin': 300_001, 'two.bin': 200_003 }, [tracker.httpUrl]);
  seeder = new Client({ host: '127.0.0.1' });
  await seeder.listen();
  await seeder.add(seeded.meta, { downloadDir: seeded.dir }).start();
});

after(async () => {
  await seeder?.close();
  await tracker?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('session, driven through the protocol', { timeout: 120_000 }, () => {
  test('queue: slots in order, a reason for every waiting torrent, moves, force start, pause and resume all', async () => {
    const h = await SessionHarness.open();
    try {
      await h.send({ type: 'setSettings', settings: { maxActiveDownloads: 2 } });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const t = await makeTorrent(`q${i}`, { 'f.bin': 40_000 + i }, []);
        ids.push((await h.send({ type: 'add', source: { kind: 'torrent', data: t.bytes } })).id);
      }
      await h.until(() => ids.every((id) => h.list.has(id)) && h.get(ids[0]).state === 'downloading' && h.get(ids[1]).state === 'downloading', 'first two running');
      await h.until(() => h.get(ids[2]).state === 'queued' && h.get(ids[3]).state === 'queued', 'last two queued');
      assert.equal(h.get(ids[2]).stateReason, 'waiting: 2 of 2 download slots in use');
      assert.equal(h.get(ids[2]).queuedFor, 'download');
      assert.deepEqual(ids.map((id) => h.get(id).queuePosition), [0, 1, 2, 3]);

      await h.send({ type: 'queueMove', ids: [ids[3]], to: 'top' });
      await h.until(() => h.get(ids[3]).state === 'downloading' && h.get(ids[1]).state === 'queued', 'moved torrent runs, the second waits');
      assert.deepEqual(ids.map((id) => h.get(id).queuePosition), [1, 2, 3, 0]);

      await h.send({ type: 'forceStart', ids: [ids[2]], enabled: true });
      await h.until(() => h.get(ids[2]).state === 'downloading' && h.get(ids[2]).forceStart, 'force-started torrent runs outside the queue');
      assert.equal(h.get(ids[1]).state, 'queued', 'force start takes no slot from others');

      await h.send({ type: 'pause', ids: 'all' });
      await h.until(() => ids.every((id) => h.get(id).state === 'paused'), 'all paused');
      await h.send({ type: 'resume', ids: [ids[1]] });
      await h.until(() => h.get(ids[1]).state === 'downloading', 'resumed one runs');
      await assert.rejects(h.send({ type: 'pause', ids: ['f'.repeat(40)] }), /NotFound/);
    } finally {
      await h.close();
    }
  });

  test('downloads from a seeder, seeds, survives a restart with the same list and no rehash, then removes with data', async () => {
    const dataDir = join(root, 'restart-data');
    const downloadDir = join(root, 'restart-dl');
    let h = await SessionHarness.open({ dataDir, downloadDir });
    const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: seeded.bytes } });
    await h.send({ type: 'subscribe', id, topics: ['peers', 'files', 'trackers', 'pieces'] });
    await h.until(() => h.get(id).state === 'seeding', 'download completes', 30_000);
    assert.equal(h.get(id).progress, 1);
    assert.ok(h.notices.some((n) => n.type === 'completed' && n.id === id), 'a completed notice');
    assert.ok(readFileSync(join(downloadDir, 'album', 'one.bin')).equals(readFileSync(join(seeded.dir, 'album', 'one.bin'))));
    const d = h.details!;
    assert.equal(d.files?.length, 2);
    assert.equal(d.pieces?.pieceCount, seeded.meta.pieceCount);
    assert.ok(d.pieces!.have instanceof Uint8Array, 'piece map travels as a bitfield');
    assert.ok(d.pieces!.availability instanceof Uint16Array);
    assert.equal(h.gaps, 0, 'no sequence gaps');
    const before = h.get(id);
    await h.close(false);

    h = await SessionHarness.open({ dataDir, downloadDir });
    try {
      await h.until(() => h.list.has(id) && h.get(id).state === 'seeding', 'same torrent seeding after restart');
      assert.equal(h.get(id).name, before.name);
      assert.equal(h.get(id).downloadedTotal, before.downloadedTotal, 'totals persisted');
      assert.ok(h.log.some((l) => /fast resume/.test(l)), `fast resume used:\n${h.log.join('\n')}`);
      assert.ok(!h.log.some((l) => /checked existing data: .* \(0 bytes\)/.test(l)));
      await h.send({ type: 'remove', ids: [id], deleteData: true });
      await h.until(() => !h.list.has(id), 'removed from the list');
      assert.equal(existsSync(join(downloadDir, 'album', 'one.bin')), false, 'data deleted');
      assert.equal(existsSync(join(downloadDir, 'album')), false, 'its folder too');
    } finally {
      await h.close();
    }
  });

  test('file priorities: a skipped file is not downloaded and the torrent seeds what was wanted', async () => {
    const h = await SessionHarness.open();
    try {
      const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: seeded.bytes }, filePriorities: ['skip', 'high'] });
      await h.until(() => h.get(id).state === 'seeding', 'wanted file complete', 30_000);
      const t = h.get(id);
      assert.equal(t.wantedBytes, 200_003);
      assert.equal(t.doneBytes, 200_003);
      assert.ok(readFileSync(join(h.downloadDir, 'album', 'two.bin')).equals(readFileSync(join(seeded.dir, 'album', 'two.bin'))));
      const one = join(h.downloadDir, 'album', 'one.bin');
      // Only the piece it shares with two.bin may have touched one.bin.
      assert.ok(!existsSync(one) || readFileSync(one).length <= 300_001);
      assert.ok(!existsSync(one) || readFileSync(one).subarray(0, 16_384).every((b) => b === 0), 'the skipped file was not downloaded');
    } finally {
      await h.close();
    }
  });

  test('recheck finds damaged data; move storage keeps it; bad commands get typed errors', async () => {
    const h = await SessionHarness.open();
    try {
      const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: seeded.bytes } });
      await h.until(() => h.get(id).state === 'seeding', 'complete', 30_000);
      await h.send({ type: 'pause', ids: [id] });
      await h.until(() => h.get(id).state === 'paused', 'paused');
      const file = join(h.downloadDir, 'album', 'one.bin');
      const data = readFileSync(file);
      data[100] ^= 0xff;
      writeFileSync(file, data);
      await h.send({ type: 'recheck', ids: [id] });
      await h.until(() => h.get(id).state === 'paused' && h.get(id).doneBytes < 500_004, 'recheck found the damaged piece');
      assert.equal(h.get(id).doneBytes, 500_004 - 16_384);

      const target = join(root, 'moved-here');
      await h.send({ type: 'moveStorage', id, savePath: target });
      await h.until(() => h.get(id).savePath === target, 'save path updated');
      assert.ok(existsSync(join(target, 'album', 'two.bin')));
      assert.equal(existsSync(file), false, 'nothing left behind');

      await assert.rejects(h.send({ type: 'add', source: { kind: 'torrent', data: seeded.bytes } }), /Conflict/);
      await assert.rejects(h.send({ type: 'add', source: { kind: 'torrent', data: new Uint8Array([1, 2, 3]) } }), /InvalidCommand/);
      await assert.rejects(h.send({ type: 'add', source: { kind: 'magnet', uri: 'magnet:?xt=urn:btih:nothex' } }), /InvalidCommand/);
      const raw = await h.session.requestRaw({ kind: 'request', requestId: 7, command: { type: 'pause', ids: ['NOT-A-HASH'] } });
      assert.equal(raw.ok, false);
      assert.equal(raw.requestId, 7);
      assert.match(!raw.ok ? raw.error.message : '', /ids\[0\]/);
      const junk = await h.session.requestRaw('junk');
      assert.equal(junk.ok, false);
    } finally {
      await h.close();
    }
  });
});

test('free disk space is reported before the download folder exists (from the nearest folder above it)', { timeout: 20_000 }, async () => {
  const h = await SessionHarness.open({ downloadDir: join(mkdtempSync(join(tmpdir(), 'tessera-free-')), 'not', 'yet', 'made') });
  try {
    assert.equal(existsSync(h.downloadDir), false);
    await h.send({ type: 'setSettings', settings: { maxActiveSeeds: 6 } });
    await h.send({ type: 'snapshot' });
    assert.ok((h.global?.freeDiskBytes ?? 0) > 0, `free space: ${h.global?.freeDiskBytes}`);
  } finally {
    await h.close();
  }
});

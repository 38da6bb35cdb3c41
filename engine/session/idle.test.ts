// An idle session does no work that grows with the list: no batches while nothing changes (but a
// heartbeat), and no record writes for torrents that merely wait in the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../bencode/index.js';
import { Bitfield } from '../common/bitfield.js';
import { DEFAULT_SETTINGS } from '../api/validate.js';
import { patternBytes } from '../testing/wait.js';
import { newResumeRecord } from '../storage/resume/resume-record.js';
import { captureFileStats, ResumeStore } from '../storage/resume/resume-store.js';
import { HEARTBEAT_MS } from './stream.js';
import { SessionHarness } from './test-harness.js';

const PIECE = 16_384;

/** A session folder as a clean shutdown leaves it: `active` complete torrents that want to run, the rest paused. */
async function sessionFolder(root: string, count: number, active: number, maxActiveSeeds: number): Promise<{ dataDir: string; downloadDir: string; ids: string[] }> {
  const dataDir = join(root, 'state');
  const downloadDir = join(root, 'data');
  mkdirSync(downloadDir, { recursive: true });
  const store = new ResumeStore(dataDir);
  const ids: string[] = [];
  // Backdated, so the records' stats are trusted without a recheck.
  const at = Date.now() - 60_000;
  for (let i = 0; i < count; i++) {
    const name = `t${i}.bin`;
    const payload = patternBytes(PIECE, i + 1);
    writeFileSync(join(downloadDir, name), payload);
    const info = { length: PIECE, name, 'piece length': PIECE, pieces: createHash('sha1').update(payload).digest() };
    const id = createHash('sha1').update(encode(info)).digest('hex');
    ids.push(id);
    await store.saveMetainfo(id, encode({ info }));
    const { stats } = captureFileStats([join(downloadDir, name)]);
    store.save(
      newResumeRecord({
        id,
        name,
        savePath: downloadDir,
        addedAt: at + i,
        completedAt: at + i,
        queuePosition: i,
        intent: i < active ? 'active' : 'paused',
        filePriorities: ['normal'],
        have: Bitfield.full(1),
        fileStats: stats,
        fileStatsAt: Date.now(),
        // The first one as a crash leaves it (stats taken while running, file just written): rehashed at start.
        fileStatsFinal: i > 0,
        totalBytes: PIECE,
        wantedBytes: PIECE,
        doneBytes: PIECE,
      }),
    );
  }
  await store.flush();
  await store.saveSettings({ ...DEFAULT_SETTINGS, downloadDir, listenPort: 0, dht: false, lsd: false, maxActiveSeeds });
  return { dataDir, downloadDir, ids };
}

test('an idle session: no batches while nothing changes but a heartbeat, no writes for queued records', { timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-idle-'));
  const folder = await sessionFolder(root, 60, 20, 2);
  const openedAt = Date.now();
  const h = await SessionHarness.open({ dataDir: folder.dataDir, downloadDir: folder.downloadDir });
  try {
    const seeding = (): number => [...h.list.values()].filter((t) => t.state === 'seeding').length;
    const queued = (): number => [...h.list.values()].filter((t) => t.state === 'queued').length;
    await h.until(() => seeding() === 2 && queued() === 18, '2 seeding and 18 queued');

    // Settled: no event for half a second. Then nothing at all for another second and a half
    // (the harness's batch timer runs every 50 ms: 30 batches before this change).
    let last = h.events.length;
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      if (h.events.length === last) break;
      last = h.events.length;
    }
    const quietFrom = h.events.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(h.events.length, quietFrom, `no batch while nothing changes; got ${JSON.stringify(h.events.slice(quietFrom))}`);

    // The heartbeat: a batch without rows, next in sequence.
    await h.until(() => h.events.length > quietFrom, 'a heartbeat', HEARTBEAT_MS + 2000);
    const beat = h.events[quietFrom];
    assert.equal(beat.kind, 'batch');
    assert.equal(beat.seq, h.events[quietFrom - 1].seq + 1);
    assert.ok(beat.kind === 'batch' && beat.added.length === 0 && beat.changed.length === 0 && beat.removed.length === 0);
    assert.equal(h.gaps, 0);

    // Past the first checkpoint: one record written, for the torrent whose start rehashed its
    // data; not for the one that started from its clean-shutdown record as it was, nor for the 18
    // that only began waiting in the queue.
    await h.until(() => Date.now() - openedAt > 6000, 'past the first checkpoint', 10_000);
    const torrents = join(folder.dataDir, 'torrents');
    const written = readdirSync(torrents).filter((n) => n.endsWith('.resume') && statSync(join(torrents, n)).mtimeMs >= openedAt);
    assert.deepEqual(h.log.filter((l) => l.startsWith('fast resume:')).map((l) => /rechecking (\d+)/.exec(l)?.[1] ?? '0').sort(), ['0', '1']);
    assert.deepEqual(written, [`${folder.ids[0]}.resume`]);

    // Quiet, the session ticks once a second; a command brings the next batch at once.
    const paused = [...h.list.values()].filter((t) => t.state === 'paused').slice(0, 3);
    for (const t of paused) {
      await new Promise((r) => setTimeout(r, 1200));
      const sent = Date.now();
      await h.send({ type: 'resume', ids: [t.id] });
      await h.until(() => h.get(t.id).state === 'queued', `${t.name} queued`);
      assert.ok(Date.now() - sent < 300, `the change arrived ${Date.now() - sent} ms after the command`);
    }
  } finally {
    await h.close();
    rmSync(root, { recursive: true, force: true });
  }
});

// Issue 15, must-show 4: a torrent seeding from a tmpfs that is unmounted (umount -l) shows "volume offline" within
// seconds without erroring or losing progress; once the tmpfs is mounted again with the same files (same sizes and
// mtimes), it seeds on with zero pieces rechecked and the leecher finishes byte for byte. Mounting needs root (CI is
// root, as for the rest of the lab suite); the tmpfs is always unmounted and the folder removed, also on failure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../../metainfo/index.js';
import { Client } from '../../session/client.js';
import { SessionHarness } from '../../session/test-harness.js';
import { patternBytes, waitUntil } from '../../testing/wait.js';

const SIZE = 8 * 1024 * 1024;
const PIECE = 64 * 1024;
/** The seed's upload limit: the transfer lasts about 8 s, so the unmount lands in the middle of it. */
const UPLOAD_LIMIT = 1024 * 1024;
const NAME = 'film.bin';

let root: string;
let vol: string;
let content: Uint8Array;
/** Whole seconds an hour ago: a re-created file gets exactly the same mtime back. */
const mtime = Math.floor(Date.now() / 1000) - 3600;
let torrent: { bytes: Uint8Array; meta: Metainfo };

function mountTmpfs(): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', vol]);
}

function unmount(): void {
  try {
    execFileSync('umount', ['-l', vol], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
}

/** Puts the file in place whole (written aside, then renamed), with the recorded mtime. */
function placeFile(): void {
  const aside = join(vol, `.${NAME}.tmp`);
  writeFileSync(aside, content);
  utimesSync(aside, mtime, mtime);
  renameSync(aside, join(vol, NAME));
}

before(async () => {
  if (process.getuid?.() !== 0) {
    throw new Error('volume offline test: needs root (it mounts and unmounts a tmpfs); run the lab suite as root, as CI does');
  }
  root = mkdtempSync(join(tmpdir(), 'tessera-volume-'));
  vol = join(root, 'vol');
  mkdirSync(vol);
  mountTmpfs();
  content = patternBytes(SIZE, 11);
  placeFile();
  const bytes = await createTorrent(join(vol, NAME), { pieceLength: PIECE });
  torrent = { bytes, meta: parseTorrent(bytes) };
});

after(() => {
  if (!root) return;
  unmount();
  unmount();
  rmSync(root, { recursive: true, force: true });
});

test('a seed whose tmpfs is unmounted shows volume offline, then seeds on after the remount with 0 pieces rechecked', { timeout: 120_000 }, async () => {
  const h = await SessionHarness.open();
  const leecher = new Client({ host: '127.0.0.1' });
  let leecherOpen = true;
  try {
    await h.send({ type: 'setSettings', settings: { uploadLimit: UPLOAD_LIMIT } });
    const { id } = await h.send({ type: 'add', source: { kind: 'torrent', data: torrent.bytes }, savePath: vol });
    await h.until(() => h.get(id).state === 'seeding', 'the seed has verified its data', 30_000);
    await leecher.listen();
    const leech = leecher.add(torrent.meta, { downloadDir: join(root, 'leech'), useTrackers: false });
    await leech.start();
    // Only the seed dials (two connections between the same pair are deduplicated away): it does so at every start,
    // so the transfer goes on after the volume comes back.
    await h.send({ type: 'addPeers', id, peers: [`127.0.0.1:${leecher.port}`] });
    await waitUntil(() => leech.have.count * PIECE >= 1024 * 1024, 30_000, () => `the leecher got ${leech.have.count} pieces; seed log: ${h.log.slice(-15).join(" | ")}`);
    assert.ok(!leech.complete, 'the leecher must still be downloading when the volume goes away (upload limit too high?)');

    const unmountedAt = Date.now();
    execFileSync('umount', ['-l', vol]);
    await h.until(() => h.get(id).stateReason.startsWith('Volume offline'), 'the torrent says its volume is offline', 15_000);
    const offlineAfterMs = Date.now() - unmountedAt;
    const row = h.get(id);
    console.log(`volume offline ${offlineAfterMs} ms after the unmount: ${row.state}: ${row.stateReason}`);
    assert.ok(offlineAfterMs < 8_000, `noticed after ${offlineAfterMs} ms`);
    assert.equal(row.stateReason, `Volume offline: ${vol} is not mounted — reconnect it; Tessera resumes by itself`);
    assert.equal(row.error, null, 'no error: it waits for the volume');
    assert.equal(row.progress, 1, 'no piece is marked missing');
    assert.equal(row.peers, 0, 'peers are disconnected while the volume is away');
    assert.deepEqual(
      h.notices.filter((n) => n.type === 'error'),
      [],
      'no error notice',
    );
    const leechedWhileOffline = leech.have.count;
    // It stays offline (nothing to seed from) while the folder is the bare mount point.
    await new Promise((r) => setTimeout(r, 6_000));
    assert.ok(h.get(id).stateReason.startsWith('Volume offline'), `still offline: ${h.get(id).stateReason}`);

    mountTmpfs();
    placeFile();
    assert.equal(statSync(join(vol, NAME)).mtimeMs, mtime * 1000);
    await h.until(() => h.get(id).state === 'seeding', 'seeding again after the remount', 20_000);
    const back = h.log.find((l) => l.includes('volume back: resumed with'));
    assert.ok(back, `a start after the volume came back is logged; log: ${h.log.slice(-10).join(' | ')}`);
    assert.match(back, /resumed with 0 pieces rechecked/);
    assert.equal(h.get(id).progress, 1);

    await waitUntil(() => leech.complete, 60_000, () => `the leecher has ${leech.have.count} of ${torrent.meta.pieceCount} pieces (had ${leechedWhileOffline} when the volume went away)`);
    leecherOpen = false;
    await leecher.close();
    assert.ok(Buffer.from(readFileSync(join(root, 'leech', NAME))).equals(Buffer.from(content)), 'the leecher has the file byte for byte');
  } finally {
    if (leecherOpen) await leecher.close();
    await h.close();
  }
});

// The restart case: the session stops while the volume is mounted, starts again while it is not. The record keeps
// the volume the save folder was on (its device and mount point), so the start says "volume offline" instead of
// "files missing", and seeds on with zero pieces rechecked once the volume is back.
test('a restart while the volume is unmounted shows volume offline, not files missing, and seeds on after the remount', { timeout: 120_000 }, async () => {
  const dataDir = join(root, 'restart-data');
  const first = await SessionHarness.open({ dataDir });
  let id: string;
  try {
    ({ id } = await first.send({ type: 'add', source: { kind: 'torrent', data: torrent.bytes }, savePath: vol }));
    await first.until(() => first.get(id).state === 'seeding', 'the seed has verified its data', 30_000);
  } finally {
    await first.close();
  }
  execFileSync('umount', ['-l', vol]);
  const second = await SessionHarness.open({ dataDir });
  try {
    await second.until(() => second.get(id).stateReason.startsWith('Volume offline') || second.get(id).state === 'error' && second.get(id).error !== null, 'the start has decided', 15_000);
    const row = second.get(id);
    assert.equal(row.error, null, `no error (before: "files missing"): ${row.error}; log: ${second.log.slice(-6).join(' | ')}`);
    assert.equal(row.stateReason, `Volume offline: ${vol} is not mounted — reconnect it; Tessera resumes by itself`);
    assert.equal(row.progress, 1, 'the record keeps its pieces');
    assert.deepEqual(second.notices.filter((n) => n.type === 'error'), [], 'no error notice');

    mountTmpfs();
    placeFile();
    await second.until(() => second.get(id).state === 'seeding', 'seeding again after the remount', 20_000);
    const back = second.log.find((l) => l.includes('volume back: resumed with'));
    assert.ok(back, `a start after the volume came back is logged; log: ${second.log.slice(-10).join(' | ')}`);
    assert.match(back, /resumed with 0 pieces rechecked/);
    assert.equal(second.get(id).progress, 1);
  } finally {
    await second.close();
  }
});

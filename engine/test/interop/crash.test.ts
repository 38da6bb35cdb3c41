// Crash safety of `tessera download` (ARCHITECTURE.md, Reliability: "verified data is never lost ... a restart
// resumes without re-downloading verified pieces"). A download from a rate-limited libtorrent seeder is killed
// with SIGKILL at several random moments (start-up, mid-transfer, after a resume checkpoint), then run to the end.
// Between two runs the test itself hashes what is on disk and reads the resume record the killed run left behind;
// after each restart it checks, from the --verbose log:
//   - every piece whose bytes reached the disk is verified again, so the verified count never goes down;
//   - fast resume trusts, without hashing, every recorded piece whose files are unchanged since the record (among
//     them two files that are complete from the start and never written), and rehashes only the rest;
// and at the end: the last run downloads exactly the bytes that were not verified when it started (no verified piece
// is fetched again), and the tree is byte for byte the seeder's.
// Replay a schedule with TESSERA_CRASH_SEED=<seed> (the seed is printed).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTorrent, type Metainfo } from '../../metainfo/index.js';
import { decodeResumeRecord, type ResumeRecord } from '../../storage/resume/resume-record.js';
import { MTIME_SLACK_MS } from '../../storage/resume/fast-resume.js';
import { assertTreesEqual, freePort, makeTestPayload, makeTorrent, startLibtorrent, stopAll, withTimeout, type ClientHandle } from '../../testing/index.js';
import { lastJsonLine, startTessera } from './tessera-process.js';
import type { ProcessHandle } from '../../testing/index.js';
import { seededRandom } from '../../testing/random.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/** Seeder upload limit: slow enough that every killed run is mid-download, fast enough for a ~40 s test. */
const RATE = 300_000;
/** How each killed run ends; the order is shuffled by the seed. */
type KillKind = 'early' | 'short' | 'long';
const KILLS: readonly KillKind[] = ['early', 'short', 'short', 'short', 'long', 'long'];

const prng = seededRandom;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Files of the torrent as they are now in the download folder; absent ones have size -1. */
function statNow(meta: Metainfo, out: string): { size: number; mtimeMs: number }[] {
  return meta.files.map((f) => {
    const s = statSync(join(out, ...f.path), { throwIfNoEntry: false });
    return s ? { size: s.size, mtimeMs: s.mtimeMs } : { size: -1, mtimeMs: 0 };
  });
}

/** Pieces whose bytes are on disk and hash right, found by the test itself (not by Tessera). */
function piecesOnDisk(meta: Metainfo, out: string): boolean[] {
  const data = meta.files.map((f) => {
    try {
      return readFileSync(join(out, ...f.path));
    } catch {
      return Buffer.alloc(0);
    }
  });
  const present: boolean[] = [];
  for (let p = 0; p < meta.pieceCount; p++) {
    const start = p * meta.pieceLength;
    const end = Math.min(start + meta.pieceLength, meta.totalLength);
    const h = createHash('sha1');
    let ok = true;
    meta.files.forEach((f, i) => {
      const from = Math.max(start, f.offset);
      const to = Math.min(end, f.offset + f.length);
      if (!ok || from >= to) return;
      if (data[i].length < to - f.offset) ok = false;
      else h.update(data[i].subarray(from - f.offset, to - f.offset));
    });
    present.push(ok && h.digest().equals(Buffer.from(meta.pieces.subarray(p * 20, p * 20 + 20))));
  }
  return present;
}

function pieceBytes(meta: Metainfo, p: number): number {
  return Math.min(meta.pieceLength, meta.totalLength - p * meta.pieceLength);
}

function filesOfPiece(meta: Metainfo, p: number): number[] {
  const start = p * meta.pieceLength;
  const end = start + pieceBytes(meta, p);
  return meta.files.flatMap((f, i) => (f.length > 0 && f.offset < end && f.offset + f.length > start ? [i] : []));
}

/**
 * What a fast resume must trust without hashing, worked out by the test from the record the killed run left and
 * the files as they are now: every recorded-verified piece whose files all still have their recorded size and
 * mtime, where that mtime was already settled when recorded (older than the capture by MTIME_SLACK_MS, or a
 * final capture; a file written moments before a capture may legitimately be rechecked, see fast-resume.ts).
 * `files`: such unchanged files with verified data; `complete`: those of them with every piece verified.
 */
function mustTrust(meta: Metainfo, rec: ResumeRecord | null, now: readonly { size: number; mtimeMs: number }[]): { pieces: number; files: number; complete: number } {
  if (!rec || !rec.have || !rec.fileStats || rec.have.length !== meta.pieceCount) return { pieces: 0, files: 0, complete: 0 };
  const have = rec.have;
  const settled = meta.files.map((f, i) => {
    const s = rec.fileStats![i];
    if (!s || f.length === 0 || s.size < 0) return false;
    if (s.size !== now[i].size || s.mtimeMs !== now[i].mtimeMs) return false;
    return rec.fileStatsFinal || s.mtimeMs <= rec.fileStatsAt - MTIME_SLACK_MS;
  });
  const piecesOf = (i: number): number[] => {
    const f = meta.files[i];
    const first = Math.floor(f.offset / meta.pieceLength);
    return Array.from({ length: Math.floor((f.offset + f.length - 1) / meta.pieceLength) - first + 1 }, (_, k) => first + k);
  };
  let pieces = 0;
  for (let p = 0; p < meta.pieceCount; p++) if (have.has(p) && filesOfPiece(meta, p).every((i) => settled[i])) pieces++;
  const withData = settled.map((ok, i) => ok && piecesOf(i).some((p) => have.has(p)));
  const complete = settled.map((ok, i) => ok && piecesOf(i).every((p) => have.has(p)));
  return { pieces, files: withData.filter(Boolean).length, complete: complete.filter(Boolean).length };
}

/** What a restart reported: `fast resume: <reason>` and `checked existing data: N/M pieces verified (B bytes)`. */
interface StartReport {
  verifiedPieces: number;
  verifiedBytes: number;
  /** Null: no fast resume line (no usable record), so every piece was hashed. */
  fastResume: string | null;
  trusted: number;
  rehashed: number;
}

function parseStart(lines: readonly string[], pieceCount: number): StartReport | null {
  const checked = lines.map((l) => /^checked existing data: (\d+)\/(\d+) pieces verified \((\d+) bytes\)/.exec(l)).find(Boolean);
  if (!checked) return null;
  const fr = lines.map((l) => /^fast resume: (.*)$/.exec(l)).find(Boolean)?.[1] ?? null;
  let trusted = 0;
  let rehashed = pieceCount;
  if (fr !== null) {
    let m: RegExpExecArray | null;
    if ((m = /^files unchanged: (\d+) verified pieces trusted/.exec(fr))) [trusted, rehashed] = [Number(m[1]), 0];
    else if ((m = /rechecking (\d+) pieces, (\d+) trusted$/.exec(fr))) [trusted, rehashed] = [Number(m[2]), Number(m[1])];
    else if ((m = /rechecking (\d+) of (\d+) pieces$/.exec(fr))) [trusted, rehashed] = [0, Number(m[1])];
    else throw new Error(`unknown fast resume line: ${fr}`);
  }
  return { verifiedPieces: Number(checked[1]), verifiedBytes: Number(checked[3]), fastResume: fr, trusted, rehashed };
}

interface RunRow {
  run: number;
  kind: KillKind | 'final';
  /** From spawn to SIGKILL; null for the final run. */
  killedAfterMs: number | null;
  /** What this run reported on start; null when it was killed before its check finished. */
  start: StartReport | null;
  /** The test's own view before this run started. */
  onDiskPieces: number;
  onDiskBytes: number;
  recordedPieces: number | null;
  trust: { pieces: number; files: number; complete: number };
  /** Payload bytes the seeder sent during this run. */
  seederSent: number;
}

function describeStart(r: RunRow, pieceCount: number): string {
  const facts = `[test: ${r.onDiskPieces} pieces on disk, ${r.recordedPieces ?? 'no'} in the record, ${r.trust.pieces} must be trusted (${r.trust.files} unchanged files, ${r.trust.complete} complete)]`;
  if (!r.start) return `none: killed before its check finished ${facts}`;
  return `${r.start.verifiedPieces}/${pieceCount} pieces verified (${r.start.verifiedBytes} B), ${r.start.rehashed} rehashed, ${r.start.trusted} trusted ${facts}`;
}

test('a download killed with SIGKILL at random moments loses no verified piece, rehashes only what changed, and fetches nothing twice', { timeout: 150_000 }, async () => {
  const seed = Number(process.env.TESSERA_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`# seed ${seed} (replay with TESSERA_CRASH_SEED=${seed})`);
  const rand = prng(seed);
  // The last killed run is a long one: it lives past a resume checkpoint with much of the data verified, so the
  // final restart has settled files to trust whatever the order of the others.
  const kinds = [...KILLS];
  kinds.splice(kinds.indexOf('long'), 1);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  kinds.push('long');

  // One seeder makes every piece equally rare, so the picker takes them in random order: a file of many pieces
  // is complete only near the end, and every file being downloaded is written in every run. Complete, untouched
  // files come from two sources here: small files (one to three pieces) that complete early by chance and are
  // never written again, and the first and last files, which the download folder holds before the first run (as
  // after an earlier download of them) and which share no piece with another file, so no write ever touches them.
  // The others have odd sizes, so that pieces straddle file boundaries.
  const files = Array.from({ length: 11 }, (_, i) => ({
    path: `f${String(i).padStart(2, '0')}.bin`,
    size: i === 0 ? 61 * 32_768 : i === 10 ? 2_000_000 : i % 2 === 0 ? 2_000_000 + 4_099 * i : 9_000 + ((i * 7_919) % 60_000),
  }));
  const before = files.slice(0, 9).reduce((sum, f) => sum + f.size, 0);
  files[9].size += (32_768 - ((before + files[9].size) % 32_768)) % 32_768;
  const present = [files[0].path, files[10].path];
  const payload = await makeTestPayload(join(root, 'seed'), { name: 'crash', files, seed: 7 });
  const torrent = await makeTorrent({ source: payload.root, out: join(root, 'crash.torrent'), tiers: [], pieceLengthLog2: 15 });
  const meta = parseTorrent(readFileSync(torrent.file));
  assert.deepEqual(meta.files.map((f) => f.path.at(-1)), files.map((f) => f.path), 'mktorrent kept the file order');
  const presentPieces = meta.files
    .filter((f) => present.includes(f.path.at(-1)!))
    .reduce((n, f) => {
      assert.equal(f.offset % meta.pieceLength, 0, `${f.path.join('/')} starts a piece`);
      return n + Math.ceil(f.length / meta.pieceLength);
    }, 0);
  const seeder: ClientHandle = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(root, 'seed'), port: await freePort(), noTrackers: true, uploadLimit: RATE });
  const out = join(root, 'out');
  mkdirSync(join(out, payload.name), { recursive: true });
  // Files complete "from long ago": a record taken within MTIME_SLACK_MS of a file's mtime rightly
  // distrusts it (it cannot tell that file from one written in the same tick), so make them look old.
  const longAgo = new Date(Date.now() - 3600_000);
  for (const f of present) {
    copyFileSync(join(payload.root, f), join(out, payload.name, f));
    utimesSync(join(out, payload.name, f), longAgo, longAgo);
  }
  const args = ['download', torrent.file, '--out', out, '--peer', `127.0.0.1:${seeder.port}`, '--json', '--verbose'];
  const recordPath = join(out, '.tessera', 'torrents', `${meta.infoHashHex}.resume`);
  const readRecord = (): ResumeRecord | null => {
    try {
      return decodeResumeRecord(readFileSync(recordPath)).record;
    } catch {
      return null;
    }
  };
  /** The seeder's payload upload total, from the second progress line (one every 0.5 s) after now. */
  const seederUploaded = async (): Promise<number> => {
    let off = (): void => {};
    await withTimeout(
      new Promise<void>((resolve) => {
        let seen = 0;
        off = seeder.process.onLine((l) => {
          if (l.startsWith('progress ') && ++seen === 2) resolve();
        });
      }),
      5_000,
      'a progress line from the seeder',
    ).finally(() => off());
    return seeder.progress()?.uploaded ?? 0;
  };

  const rows: RunRow[] = [];
  let lastVerified = 0;
  let lastOnDisk = 0;
  let finalLines: readonly string[] = [];
  try {
    await withTimeout(seeder.ready, 30_000, 'the libtorrent seeder to check its data');
    let sentBefore = await seederUploaded();
    for (let run = 1; run <= kinds.length + 1; run++) {
      const kind: KillKind | 'final' = run <= kinds.length ? kinds[run - 1] : 'final';
      // The test's own view of what the killed run left behind.
      const rec = readRecord();
      const onDisk = piecesOnDisk(meta, out);
      const onDiskPieces = onDisk.filter(Boolean).length;
      const onDiskBytes = onDisk.reduce((s, ok, p) => s + (ok ? pieceBytes(meta, p) : 0), 0);
      const trust = mustTrust(meta, rec, statNow(meta, out));
      assert.ok(onDiskPieces >= lastOnDisk, `run ${run}: pieces on disk went down from ${lastOnDisk} to ${onDiskPieces}`);
      lastOnDisk = onDiskPieces;

      const proc: ProcessHandle = startTessera(args, root, `run${run}`);
      const spawned = performance.now();
      let killedAfterMs: number | null = null;
      if (kind !== 'final') {
        // early: 0.3-1.5 s after spawn, whatever it is doing then (starting, planning the resume, checking,
        // connecting); short: 0.3-2.5 s into the transfer; long: 4.5-6 s into it, past the first resume
        // checkpoint (the session saves records 5 s into its life, then every 5 s).
        const r = rand();
        let target = kind === 'early' ? spawned + 300 + r * 1200 : Infinity;
        const remainingKills = kinds.length - run + 1;
        const off = proc.onLine((l) => {
          const m = /^checked existing data: \d+\/\d+ pieces verified \((\d+) bytes\)/.exec(l);
          if (!m || kind === 'early') return;
          const wanted = kind === 'short' ? 300 + r * 2200 : 4500 + r * 1500;
          // Never let a killed run finish: leave at least 0.5 MB per kill still to come.
          const budgetMs = ((meta.totalLength - Number(m[1]) - remainingKills * 500_000) / RATE) * 1000;
          target = performance.now() + Math.max(200, Math.min(wanted, budgetMs));
        });
        const deadline = spawned + 30_000;
        while (!proc.hasExited && performance.now() < Math.min(target, deadline)) await sleep(10);
        off();
        assert.ok(!proc.hasExited, `run ${run} (${kind}) exited by itself before its kill:\n${proc.tail(30)}`);
        assert.ok(performance.now() < deadline, `run ${run} (${kind}) never reached its kill point:\n${proc.tail(30)}`);
        killedAfterMs = Math.round(performance.now() - spawned);
        proc.signal('SIGKILL');
        const exit = await withTimeout(proc.exited, 10_000, `run ${run} to die after SIGKILL`);
        assert.equal(exit.signal, 'SIGKILL', `run ${run} was killed`);
      } else {
        const exit = await withTimeout(proc.exited, 60_000, 'the final run to complete');
        assert.equal(exit.code, 0, proc.tail(30));
        finalLines = proc.lines();
      }
      const sentNow = await seederUploaded();
      const start = parseStart(proc.lines(), meta.pieceCount);
      const row: RunRow = { run, kind, killedAfterMs, start, onDiskPieces, onDiskBytes, recordedPieces: rec?.have?.count ?? null, trust, seederSent: sentNow - sentBefore };
      rows.push(row);
      sentBefore = sentNow;
      const prev = rows.length > 1 ? rows[rows.length - 2] : null;
      if (prev) {
        console.log(`# run ${prev.run}: killed after ${prev.killedAfterMs} ms (${prev.kind}), seeder sent ${prev.seederSent} B; on restart ${describeStart(row, meta.pieceCount)}`);
      } else {
        console.log(`# first start: ${describeStart(row, meta.pieceCount)}`);
      }
      if (start?.fastResume) console.log(`#   fast resume: ${start.fastResume}`);

      if (!start) {
        assert.notEqual(kind, 'final', 'the final run reported its check');
        continue;
      }
      // (1) No verified piece is lost: every piece whose bytes reached the disk is verified again (and nothing
      // else), so the verified bytes never go down, and what the record called verified is still verified.
      assert.equal(start.verifiedPieces, onDiskPieces, `run ${run}: verified ${start.verifiedPieces} pieces on start; ${onDiskPieces} are on disk`);
      assert.equal(start.verifiedBytes, onDiskBytes, `run ${run}: verified bytes on start`);
      assert.ok(start.verifiedBytes >= lastVerified, `run ${run}: verified bytes went down from ${lastVerified} to ${start.verifiedBytes}`);
      if (rec?.have) assert.ok(start.verifiedPieces >= rec.have.count, `run ${run}: the record had ${rec.have.count} verified pieces, the restart found ${start.verifiedPieces}`);
      lastVerified = start.verifiedBytes;
      // (3) Fast resume: verified pieces of unchanged files are trusted, not hashed again; in particular, once a
      // record with file stats exists, the two files that were complete from the start are never hashed again.
      if (rec?.have && rec.fileStats) {
        assert.ok(trust.complete >= present.length && trust.pieces >= presentPieces, `run ${run}: the record does not show ${present.join(', ')} complete and unchanged`);
      }
      assert.ok(start.trusted >= trust.pieces, `run ${run}: ${trust.pieces} pieces of ${trust.files} unchanged files must be trusted; ${start.trusted} were (${start.fastResume})`);
      assert.ok(start.rehashed <= meta.pieceCount - trust.pieces, `run ${run}: ${start.rehashed} pieces rehashed although ${trust.pieces} needed no hashing (${start.fastResume})`);
      assert.ok(start.trusted <= start.verifiedPieces, `run ${run}: trusted more pieces than it has`);
    }

    const last = rows[rows.length - 1];
    const summary = lastJsonLine(finalLines);
    const kills = rows.filter((r) => r.killedAfterMs !== null);
    const needed = summary.totalBytes - rows[0].onDiskBytes;
    const sent = rows.reduce((s, r) => s + r.seederSent, 0);
    console.log(`# run ${last.run}: ran to the end, received ${summary.downloadedBytes} B = ${summary.totalBytes} - ${last.start!.verifiedBytes} verified at its start`);
    console.log(`# ${kills.length} kills; the seeder sent ${sent} B in all for the ${needed} B that were missing (${sent - needed} B lost in flight at the kills)`);
    assert.ok(kills.length >= 5, 'at least five runs were killed');
    // (2) No verified piece is fetched again: the last run receives exactly what was not verified when it started,
    // and over all runs the seeder sent the missing bytes plus at most what was in flight at each kill.
    assert.ok(summary.complete, 'the final run completed');
    assert.equal(summary.totalBytes, meta.totalLength);
    assert.equal(summary.downloadedBytes, summary.totalBytes - last.start!.verifiedBytes, 'the final run fetched only pieces that were not verified');
    assert.ok(sent >= needed && sent - needed <= kills.length * 256 * 1024, `the seeder sent ${sent} B for ${needed} missing bytes over ${kills.length} kills`);
    // (3) The fast path was exercised, not just allowed: restarts had unchanged files to trust and trusted them
    // (the last killed run lives past a checkpoint, so at least the final restart has such a record).
    assert.ok(rows.some((r) => r.run > 1 && r.trust.pieces >= presentPieces && r.start && r.start.trusted >= presentPieces), 'no restart trusted the complete files');
    // (4) The data verifies byte for byte.
    await assertTreesEqual(payload.root, join(out, payload.name));
  } finally {
    await seeder.stop();
  }
});

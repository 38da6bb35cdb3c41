// Streaming against WebTorrent (issue 16, must-show 1): one libtorrent seeder capped at 4 MB/s holds a 96 MiB
// file in 256 KiB pieces. Tessera (`tessera stream`) and WebTorrent (its own HTTP server, bench/wt_stream.mjs)
// each serve it over HTTP from a fresh download folder, in their own processes, in rotated order:
//  (a) time from the process start to the first 1 MiB served;
//  (b) then, in the same process, time to serve 1 MiB after a seek to 70 %;
//  (c) in a fresh process, stalls while reading from the start at 2 MB/s for 20 s (a player's view).
// Every process is stopped by PID; each run is bounded in time.
import { connect } from 'node:net';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, makeTestPayload, makeTorrent, startLibtorrent, startProcess, type ProcessHandle } from '../engine/testing/index.js';
import { median } from './measure.js';
import { playAtRate, timeRange } from './stream-reader.js';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const MiB = 1024 * 1024;
const SIZE = 96 * MiB;
const SEED_RATE = 4_000_000;
const READ_RATE = 2_000_000;
const READ_SECONDS = 20;
const RUNS = Number(process.env.TESSERA_BENCH_RUNS ?? 2);
const cache = process.env.TESSERA_BENCH_DIR ?? join(tmpdir(), 'tessera-bench');
const STEP_TIMEOUT_MS = 90_000;

type Streamer = 'tessera' | 'webtorrent';
/** TESSERA_BENCH_CLIENTS=webtorrent runs one side only (to check the harness; the comparison needs both). */
const CLIENTS = (process.env.TESSERA_BENCH_CLIENTS ?? 'tessera,webtorrent').split(',') as Streamer[];

interface Sample {
  firstMiB: number;
  seekMiB: number;
  stalls: number;
  stalledSeconds: number;
  startupSeconds: number;
}

/** Starts a client streaming the torrent's file from the seeder; resolves with its URL, printed first on stdout. */
async function startStreamer(who: Streamer, torrentFile: string, work: string, seedPort: number): Promise<{ proc: ProcessHandle; url: string; startedAt: number }> {
  const out = join(work, `${who}-dl`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const httpPort = await freePort();
  const startedAt = performance.now();
  const proc =
    who === 'tessera'
      ? startProcess(
          process.execPath,
          [join(repo, 'bin', 'tessera.js'), 'stream', torrentFile, '--out', out, '--file', '0', '--http-port', String(httpPort), '--port', String(await freePort()), '--peer', `127.0.0.1:${seedPort}`, '--no-dht', '--no-lsd'],
          { cwd: work, name: `tessera-stream-${httpPort}`, stopSignal: 'SIGTERM', killAfterMs: 5000 },
        )
      : startProcess(process.execPath, [join(repo, 'bench', 'wt_stream.mjs'), '--torrent', torrentFile, '--data', out, '--http-port', String(httpPort), '--peer', `127.0.0.1:${seedPort}`], {
          cwd: work,
          name: `webtorrent-stream-${httpPort}`,
          stopSignal: 'SIGTERM',
          killAfterMs: 5000,
        });
  try {
    const m = await proc.waitForLine(/^(http:\/\/\S+)$/, 30_000);
    return { proc, url: m[1], startedAt };
  } catch (e) {
    await proc.stop();
    throw new Error(`${who} printed no stream URL: ${e instanceof Error ? e.message : String(e)}\n${proc.tail()}`);
  }
}

async function measure(who: Streamer, torrentFile: string, work: string, seedPort: number): Promise<Sample> {
  // (a) and (b): one process, first 1 MiB from the start, then a seek to 70 %.
  const first = await startStreamer(who, torrentFile, work, seedPort);
  let firstMiB: number;
  let seekMiB: number;
  try {
    const requestAt = performance.now();
    const read = await timeRange(first.url, 0, MiB, STEP_TIMEOUT_MS);
    firstMiB = (requestAt - first.startedAt) / 1000 + read;
    seekMiB = await timeRange(first.url, Math.floor(SIZE * 0.7), MiB, STEP_TIMEOUT_MS);
  } finally {
    await first.proc.stop();
  }
  // (c): a fresh process and folder, read from the start as a player would.
  const second = await startStreamer(who, torrentFile, work, seedPort);
  try {
    const p = await playAtRate(second.url, { rate: READ_RATE, seconds: READ_SECONDS, startBuffer: MiB, resumeBuffer: 512 * 1024, maxAhead: 8 * MiB, timeoutMs: STEP_TIMEOUT_MS });
    return { firstMiB, seekMiB, stalls: p.stalls, stalledSeconds: p.stalledSeconds, startupSeconds: p.startupSeconds };
  } finally {
    await second.proc.stop();
  }
}

/** Resolves once a plaintext BitTorrent handshake for `infoHashHex` on 127.0.0.1:port gets one back. */
async function untilHandshakeAnswered(port: number, infoHashHex: string, timeoutMs: number): Promise<void> {
  const hello = Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), Buffer.alloc(8), Buffer.from(infoHashHex, 'hex'), Buffer.from('-TB0000-warmupwarmup')]);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => sock.write(hello));
      let got = 0;
      const done = (ok: boolean): void => {
        sock.destroy();
        resolve(ok);
      };
      sock.on('data', (d: Buffer) => ((got += d.length) >= 68 ? done(true) : undefined));
      sock.on('error', () => done(false));
      sock.on('close', () => done(got >= 68));
      sock.setTimeout(2_000, () => done(false));
    });
    if (answered) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the libtorrent seeder on port ${port} answered no handshake within ${timeoutMs / 1000} s`);
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  if (CLIENTS.includes('tessera') && !existsSync(join(repo, 'dist', 'engine', 'cli', 'main.js'))) throw new Error('run "npm run build" first (npm run bench does it)');
  mkdirSync(cache, { recursive: true });
  const work = join(cache, 'stream');
  mkdirSync(work, { recursive: true });
  const payload = await makeTestPayload(join(cache, 'payload-stream-96MiB'), { name: 'stream', files: [{ path: 'stream.bin', size: SIZE }], seed: 16 });
  const torrent = await makeTorrent({ source: payload.root, out: join(work, 'stream.torrent'), tiers: [], pieceLengthLog2: 18 });
  const seedPort = await freePort();
  // Not libtorrent's seed mode: it would hash each piece on its first request, a cost paid only by the first client
  // to ask for it, which is always the same one (round 1's first). Checked once at start, every piece costs the same.
  const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(cache, 'payload-stream-96MiB'), port: seedPort, uploadLimit: SEED_RATE, noTrackers: true });
  const samples: Record<Streamer, Sample[]> = { tessera: [], webtorrent: [] };
  try {
    await seeder.ready;
    // libtorrent says "seeding" a moment before it answers handshakes for the torrent; whoever came first paid for it.
    await untilHandshakeAnswered(seedPort, torrent.infoHash, 30_000);
    console.log(`seeder: libtorrent at ${SEED_RATE / 1e6} MB/s, ${SIZE / MiB} MiB in ${torrent.pieceLength / 1024} KiB pieces; ${RUNS} rounds, order rotated`);
    for (let r = 0; r < RUNS; r++) {
      const order = (r % 2 === 0 ? ['tessera', 'webtorrent'] : ['webtorrent', 'tessera']).filter((c) => CLIENTS.includes(c as Streamer)) as Streamer[];
      for (const who of order) {
        const s = await measure(who, torrent.file, work, seedPort);
        samples[who].push(s);
        console.log(
          `round ${r + 1} ${who}: first 1 MiB ${s.firstMiB.toFixed(2)} s, 1 MiB after seek to 70 % ${s.seekMiB.toFixed(2)} s, ` +
            `at 2 MB/s for ${READ_SECONDS} s: ${s.stalls} stalls, ${s.stalledSeconds.toFixed(2)} s stalled (start-up ${s.startupSeconds.toFixed(2)} s)`,
        );
      }
    }
  } finally {
    await seeder.stop();
    rmSync(join(work, 'tessera-dl'), { recursive: true, force: true });
    rmSync(join(work, 'webtorrent-dl'), { recursive: true, force: true });
  }
  const med = (who: Streamer, k: keyof Sample): number => median(samples[who].map((s) => s[k]));
  const metrics: { label: string; key: keyof Sample; digits: number }[] = [
    { label: 'first 1 MiB served (s)', key: 'firstMiB', digits: 2 },
    { label: '1 MiB after a seek to 70 % (s)', key: 'seekMiB', digits: 2 },
    { label: `stalls reading at 2 MB/s for ${READ_SECONDS} s`, key: 'stalls', digits: 1 },
    { label: 'time stalled (s)', key: 'stalledSeconds', digits: 2 },
  ];
  for (const who of CLIENTS) console.log(`${who}: ${metrics.map((m) => `${m.label} ${med(who, m.key).toFixed(m.digits)}`).join(', ')}`);
  if (CLIENTS.length < 2) return;
  console.log(`\nmedians of ${RUNS} (lower is better)`);
  console.log(row(['', 'Tessera', 'WebTorrent', 'WebTorrent / Tessera']));
  console.log(row(['---', '---', '---', '---']));
  for (const m of metrics) {
    const t = med('tessera', m.key);
    const w = med('webtorrent', m.key);
    console.log(row([m.label, t.toFixed(m.digits), w.toFixed(m.digits), t > 0 ? (w / t).toFixed(2) : w === 0 ? 'both 0' : '∞ (Tessera 0)']));
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

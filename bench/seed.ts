// Seeding throughput (issue 14, must-show 2): one payload (1 GiB, 1 MiB pieces) seeded in turn by Tessera (`tessera
// seed`) and by libtorrent to a libtorrent leecher, plus Tessera seeding a Tessera leecher, on loopback with no
// tracker (the leecher dials the seeder). The order of the three rows rotates each run; every leecher starts from an
// empty folder and exits on completion. Seeder and leecher both run under GNU time; the seeder's CPU during the
// transfer is read from /proc at the leecher's start and end (so Tessera's start-up hash check, which libtorrent's
// seed mode skips, is reported apart), and its peak RSS from GNU time.
//   npm run bench seed
// Env: TESSERA_BENCH_SIZE (bytes, default 1 GiB), TESSERA_BENCH_RUNS (default 3), TESSERA_BENCH_DIR (cache),
// TESSERA_BENCH_PAIRS (subset, e.g. "tessera>libtorrent,libtorrent>libtorrent"), TESSERA_BENCH_BASELINE (another
// built checkout: adds "tessera-base>libtorrent", its `tessera seed`, for a before/after in the same invocation),
// TESSERA_BENCH_PROFILE=1 (run each Tessera seeder under --cpu-prof and print where its CPU went),
// TESSERA_BENCH_LEECHER_ENCRYPTION=disabled|forced: the libtorrent leecher's encryption when a Tessera seeder serves it
// (default libtorrent's own, "enabled": it dials with an encrypted handshake offering RC4 and plaintext, and Tessera,
// whose "prefer" picks RC4 whenever offered, encrypts the payload, where a libtorrent seeder, prefer_rc4 off, picks
// plaintext). "disabled" compares plaintext with plaintext; the libtorrent seeder's leg keeps the default, since it
// picks plaintext anyway. The Tessera leecher of "tessera>tessera" follows it as well (--encryption disable|require;
// absent: RC4 both ways).
// "libtorrent-rc4>libtorrent" is a libtorrent seeder with prefer_rc4 on (qBittorrent's "prefer encryption"): the same
// choice Tessera's "prefer" makes, so with the default leecher both encrypt every byte.
// Every seeder checks its data at start (libtorrent not in seed mode, which would hash each piece on its first
// request and so bill the libtorrent seeder's transfer for a check Tessera's seeder does before it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON, freePort, libtorrentArgs, makeTestPayload, makeTorrent, sha1OfTree, startProcess, stopAll, type ProcessHandle } from '../engine/testing/index.js';
import { median, timed, type Measurement } from './measure.js';
import { processCpuSeconds, childPid } from './proc-cpu.js';
import { summariseProfile, type CpuProfile } from './cpu-profile.js';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SIZE = Number(process.env.TESSERA_BENCH_SIZE ?? 1024 ** 3);
const RUNS = Number(process.env.TESSERA_BENCH_RUNS ?? 3);
const cache = process.env.TESSERA_BENCH_DIR ?? join(tmpdir(), 'tessera-bench');
const BASELINE = process.env.TESSERA_BENCH_BASELINE ? resolve(process.env.TESSERA_BENCH_BASELINE) : null;
const REFERENCE = 'libtorrent>libtorrent';
const SAME_POLICY = 'libtorrent-rc4>libtorrent';
const PAIRS = (process.env.TESSERA_BENCH_PAIRS ?? `tessera>libtorrent,${REFERENCE},${SAME_POLICY},tessera>tessera${BASELINE ? ',tessera-base>libtorrent' : ''}`).split(',');
const LEG_TIMEOUT_MS = 300_000;
const PROFILE = process.env.TESSERA_BENCH_PROFILE === '1';
const LEECHER_ENCRYPTION = process.env.TESSERA_BENCH_LEECHER_ENCRYPTION as 'disabled' | 'forced' | undefined;
/** `tessera seed` (this checkout) reaches the DHT and LSD unless told not to; the bench stays on loopback. */
const LOOPBACK_ONLY = ['--no-dht', '--no-lsd'];

type Seeder = 'tessera' | 'tessera-base' | 'libtorrent' | 'libtorrent-rc4';
type Leecher = 'tessera' | 'libtorrent';

interface SeedRun {
  leecher: Measurement;
  /** Seeder CPU seconds between the leecher's start and its exit. */
  seederTransferCpu: number;
  /** The seeder's whole life under GNU time (start-up check, transfer, shutdown). */
  seederTotal: Measurement;
}

/** The Tessera leecher follows TESSERA_BENCH_LEECHER_ENCRYPTION too (absent: its default, "prefer", so RC4 both ways). */
function tesseraLeecherEncryption(): string[] {
  if (LEECHER_ENCRYPTION === 'disabled') return ['--encryption', 'disable'];
  if (LEECHER_ENCRYPTION === 'forced') return ['--encryption', 'require'];
  return [];
}

function parsePair(pair: string): { seeder: Seeder; leecher: Leecher } {
  const [seeder, leecher] = pair.split('>');
  if (!['tessera', 'tessera-base', 'libtorrent', 'libtorrent-rc4'].includes(seeder) || !['tessera', 'libtorrent'].includes(leecher)) {
    throw new Error(`TESSERA_BENCH_PAIRS: "${pair}" is not <tessera|tessera-base|libtorrent|libtorrent-rc4>> <tessera|libtorrent>`);
  }
  if (seeder === 'tessera-base' && !BASELINE) throw new Error('tessera-base needs TESSERA_BENCH_BASELINE=<a built checkout>');
  return { seeder: seeder as Seeder, leecher: leecher as Leecher };
}

function readTimeReport(file: string): Measurement {
  const [wall, user, sys, rssKiB] = readFileSync(file, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallSeconds: wall, cpuSeconds: user + sys, userSeconds: user, sysSeconds: sys, peakRssMiB: rssKiB / 1024 };
}

/** Starts the seeder under GNU time on `port` and waits until it serves. */
async function startSeeder(seeder: Seeder, torrentFile: string, dataDir: string, port: number, work: string, name: string): Promise<{ proc: ProcessHandle; report: string; pid: number }> {
  const report = join(work, `${name}.time`);
  const libtorrent = seeder === 'libtorrent' || seeder === 'libtorrent-rc4';
  const cmd = libtorrent
    ? [SYSTEM_PYTHON, ...libtorrentArgs({ role: 'seed', torrentFile, dataDir, port, noTrackers: true, preferRc4: seeder === 'libtorrent-rc4' })]
    : [process.execPath, ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', join(work, 'cpu-prof')] : []), join(seeder === 'tessera' ? repo : BASELINE!, 'bin', 'tessera.js'), 'seed', torrentFile, '--data', dataDir, '--port', String(port), '--no-utp', '--no-port-mapping', ...(seeder === 'tessera' ? LOOPBACK_ONLY : [])];
  const proc = startProcess('/usr/bin/time', ['-f', '%e %U %S %M', '-o', report, ...cmd], { cwd: work, name, env: { PYTHONUNBUFFERED: '1' }, killAfterMs: 5000 });
  // libtorrent prints "ready"; Tessera "seeding <infohash> ..." once its check of the data has passed.
  await proc.waitForLine(libtorrent ? /^ready$/ : /^seeding [0-9a-f]{40} /, 120_000);
  return { proc, report, pid: childPid(proc.pid) };
}

function printProfile(dir: string, what: string): void {
  const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  console.log(`\n${what}: the seeder's main thread (start-up check included)`);
  summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
}

async function runPair(seeder: Seeder, leecher: Leecher, torrentFile: string, payloadDir: string, run: number): Promise<{ result: SeedRun; out: string }> {
  const tag = `${seeder}-to-${leecher}`;
  const out = join(cache, `seed-out-${tag}`);
  const work = join(cache, `seed-work-${tag}`);
  for (const d of [out, work]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  spawnSync('sync');
  const seedPort = await freePort();
  const s = await startSeeder(seeder, torrentFile, payloadDir, seedPort, work, `seeder-${tag}-${run}`);
  try {
    const cpuBefore = processCpuSeconds(s.pid);
    const port = await freePort();
    const name = `leecher-${tag}-${run}`;
    const m =
      leecher === 'libtorrent'
        ? await timed(name, SYSTEM_PYTHON, libtorrentArgs({ role: 'leech', torrentFile, dataDir: out, port, exitOnFinish: true, noTrackers: true, encryption: seeder === 'libtorrent' ? undefined : LEECHER_ENCRYPTION, peers: [{ host: '127.0.0.1', port: seedPort }] }), work, LEG_TIMEOUT_MS)
        : await timed(name, process.execPath, [join(repo, 'bin', 'tessera.js'), 'download', torrentFile, '--out', out, '--port', String(port), '--peer', `127.0.0.1:${seedPort}`, '--no-dht', '--no-lsd', '--no-utp', '--no-port-mapping', ...tesseraLeecherEncryption()], work, LEG_TIMEOUT_MS);
    const seederTransferCpu = processCpuSeconds(s.pid) - cpuBefore;
    await s.proc.stop();
    if (PROFILE && (seeder === 'tessera' || seeder === 'tessera-base')) printProfile(join(work, 'cpu-prof'), `${tag} run ${run}`);
    return { result: { leecher: m, seederTransferCpu, seederTotal: readTimeReport(s.report) }, out };
  } finally {
    await s.proc.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is missing: apt-get install -y time');
  if (!existsSync(join(repo, 'dist', 'engine', 'cli', 'main.js'))) throw new Error('run "npm run build" first (npm run bench does it)');
  if (BASELINE && !existsSync(join(BASELINE, 'dist', 'engine', 'cli', 'main.js'))) throw new Error(`TESSERA_BENCH_BASELINE: ${BASELINE} is not built; run "npm run build" there first`);
  if (!Number.isInteger(SIZE) || SIZE < 2 ** 20) throw new Error('TESSERA_BENCH_SIZE must be a whole number of bytes, at least 1 MiB');
  if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 20) throw new Error('TESSERA_BENCH_RUNS must be 1..20');
  if (LEECHER_ENCRYPTION !== undefined && !['disabled', 'forced'].includes(LEECHER_ENCRYPTION)) throw new Error('TESSERA_BENCH_LEECHER_ENCRYPTION must be disabled or forced');
  const pairs = PAIRS.map(parsePair);
  mkdirSync(cache, { recursive: true });
  try {
    const payloadDir = join(cache, `payload-${SIZE}`);
    const payload = await makeTestPayload(payloadDir, { name: 'bench', files: [{ path: 'bench.bin', size: SIZE }], seed: 7 });
    const torrent = await makeTorrent({ source: payload.root, out: join(cache, `seed-${SIZE}.torrent`), tiers: [], pieceLengthLog2: 20 });
    const want = (await sha1OfTree(payload.root)).get('bench.bin')!.sha1;
    console.log(`seed bench: ${SIZE} bytes in 1 MiB pieces, loopback TCP, no tracker, libtorrent leecher encryption ${LEECHER_ENCRYPTION ?? 'its default (enabled)'}, ${RUNS} run(s) of ${PAIRS.join(', ')}`);
    const results = new Map<string, SeedRun[]>(PAIRS.map((p) => [p, []]));
    for (let run = 1; run <= RUNS; run++) {
      // Rotate the order each run: a run pays for the kernel still cleaning up after the one before it.
      for (let i = 0; i < pairs.length; i++) {
        const k = (i + run - 1) % pairs.length;
        const { seeder, leecher } = pairs[k];
        const { result, out } = await runPair(seeder, leecher, torrent.file, payloadDir, run);
        const got = (await sha1OfTree(join(out, payload.name))).get('bench.bin');
        if (!got || got.sha1 !== want) throw new Error(`${PAIRS[k]} run ${run}: downloaded data does not match`);
        rmSync(out, { recursive: true, force: true });
        results.get(PAIRS[k])!.push(result);
        const r = result;
        console.log(
          `  run ${run} ${PAIRS[k].padEnd(24)} ${(SIZE / 1e6 / r.leecher.wallSeconds).toFixed(0).padStart(5)} MB/s  seeder CPU ${r.seederTransferCpu.toFixed(2)} s in transfer (${r.seederTotal.cpuSeconds.toFixed(2)} s in all)  seeder peak RSS ${r.seederTotal.peakRssMiB.toFixed(0)} MiB  leecher CPU ${r.leecher.cpuSeconds.toFixed(2)} s`,
        );
      }
    }
    const rows = PAIRS.map((name) => {
      const rs = results.get(name)!;
      return {
        name,
        mbps: median(rs.map((r) => SIZE / 1e6 / r.leecher.wallSeconds)),
        cpu: median(rs.map((r) => r.seederTransferCpu)),
        cpuAll: median(rs.map((r) => r.seederTotal.cpuSeconds)),
        rss: Math.max(...rs.map((r) => r.seederTotal.peakRssMiB)),
      };
    });
    const ref = rows.find((r) => r.name === REFERENCE);
    const ratio = (a: number, b: number | undefined): string => (b ? `${(a / b).toFixed(2)}x` : '-');
    console.log('\n| seeder > leecher | median MB/s | seeder CPU s in transfer | seeder CPU s in all | seeder peak RSS MiB | MB/s vs libtorrent seeder | CPU vs libtorrent seeder |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.name} | ${r.mbps.toFixed(0)} | ${r.cpu.toFixed(2)} | ${r.cpuAll.toFixed(2)} | ${r.rss.toFixed(0)} | ${ratio(r.mbps, ref?.mbps)} | ${ratio(r.cpu, ref?.cpu)} |`);
    }
    const tessera = rows.find((r) => r.name === 'tessera>libtorrent');
    if (tessera && ref) console.log(`\ntarget: Tessera seeder >= libtorrent seeder to the same libtorrent leecher: ${ratio(tessera.mbps, ref.mbps)} (${tessera.mbps >= ref.mbps ? 'met' : 'NOT met'})`);
    const samePolicy = rows.find((r) => r.name === SAME_POLICY);
    if (tessera && samePolicy) console.log(`Tessera seeder / libtorrent seeder that also prefers RC4 (qBittorrent's "prefer encryption"): ${ratio(tessera.mbps, samePolicy.mbps)}`);
    const base = rows.find((r) => r.name === 'tessera-base>libtorrent');
    if (tessera && base) console.log(`Tessera seeder / baseline (${BASELINE}): speed ${ratio(tessera.mbps, base.mbps)}, CPU in transfer ${ratio(tessera.cpu, base.cpu)}, RSS ${ratio(tessera.rss, base.rss)}`);
  } finally {
    await stopAll();
  }
}

await main();

// The many-peer case: one leecher fetches a torrent from 30 libtorrent seeders on loopback (one python process,
// each seeder capped at 8 MB/s), as Tessera, libtorrent and aria2 in turn, in one run; per-connection overhead
// counts here. Every leecher runs under GNU time and exits on completion: MB/s, CPU s per GiB, peak RSS.
//   npm run bench swarm
// Env: TESSERA_BENCH_BYTES (default 512 MiB), TESSERA_BENCH_PIECE_LOG2 (default 20; 24 = 16 MiB pieces, the memory
// budget case: Tessera's peak RSS is checked against its partial-piece budget + 64 MiB), TESSERA_BENCH_SEEDERS (30),
// TESSERA_BENCH_SEEDER_RATE (bytes/s per seeder, 8e6), TESSERA_BENCH_RUNS (1), TESSERA_BENCH_CLIENTS,
// TESSERA_BENCH_BASELINE (another built checkout, run as "tessera-base"), TESSERA_BENCH_PROFILE=1 (Tessera under --cpu-prof),
// TESSERA_BENCH_STRACE=1 (Tessera's system calls counted by strace -c -f).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON, aria2Args, freePort, libtorrentArgs, makeTestPayload, makeTorrent, sha1OfTree, startLibtorrentSwarm, startTracker, stopAll } from '../engine/testing/index.js';
import { defaultPartialPieceMemory } from '../engine/storage/piece-memory.js';
import { median, timed, type Measurement } from './measure.js';
import { summariseProfile, type CpuProfile } from './cpu-profile.js';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SIZE = Number(process.env.TESSERA_BENCH_BYTES ?? 512 * 1024 ** 2);
const PIECE_LOG2 = Number(process.env.TESSERA_BENCH_PIECE_LOG2 ?? 20);
const SEEDERS = Number(process.env.TESSERA_BENCH_SEEDERS ?? 30);
const SEEDER_RATE = Number(process.env.TESSERA_BENCH_SEEDER_RATE ?? 8e6);
const RUNS = Number(process.env.TESSERA_BENCH_RUNS ?? 1);
const PROFILE = process.env.TESSERA_BENCH_PROFILE === '1';
const STRACE = process.env.TESSERA_BENCH_STRACE === '1';
const cache = process.env.TESSERA_BENCH_DIR ?? join(tmpdir(), 'tessera-bench');
const BASELINE = process.env.TESSERA_BENCH_BASELINE ? resolve(process.env.TESSERA_BENCH_BASELINE) : null;
type Leecher = 'tessera' | 'aria2' | 'libtorrent' | 'tessera-base';
const LEECHERS = (process.env.TESSERA_BENCH_CLIENTS ?? `tessera,libtorrent,aria2${BASELINE ? ',tessera-base' : ''}`).split(',') as Leecher[];




async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is missing: apt-get install -y time');
  if (!existsSync(join(repo, 'dist', 'engine', 'cli', 'main.js'))) throw new Error('run "npm run build" first (npm run bench does it)');
  if (!Number.isInteger(PIECE_LOG2) || PIECE_LOG2 < 14 || PIECE_LOG2 > 26) throw new Error('TESSERA_BENCH_PIECE_LOG2 must be 14..26');
  mkdirSync(cache, { recursive: true });
  const tracker = await startTracker({ intervalSeconds: 5 });
  try {
    const payloadDir = join(cache, `payload-${SIZE}`);
    const payload = await makeTestPayload(payloadDir, { name: 'bench', files: [{ path: 'bench.bin', size: SIZE }], seed: 7 });
    const torrent = await makeTorrent({ source: payload.root, out: join(cache, `swarm-${SIZE}-${PIECE_LOG2}.torrent`), tiers: [[tracker.httpUrl]], pieceLengthLog2: PIECE_LOG2 });
    const want = (await sha1OfTree(payload.root)).get('bench.bin')!.sha1;
    const swarm = startLibtorrentSwarm({ torrentFile: torrent.file, dataDir: payloadDir, count: SEEDERS, uploadLimit: SEEDER_RATE, workDir: join(cache, 'swarm-seeders') });
    await swarm.ready;
    await tracker.waitForPeers(torrent.infoHash, SEEDERS, 60_000, { seedsOnly: true });
    console.log(`swarm bench: ${SIZE} bytes in ${2 ** (PIECE_LOG2 - 20)} MiB pieces from ${SEEDERS} libtorrent seeders at ${SEEDER_RATE / 1e6} MB/s each (one process), ${RUNS} run(s)`);
    const results: Record<Leecher, Measurement[]> = { tessera: [], aria2: [], libtorrent: [], 'tessera-base': [] };
    for (let run = 1; run <= RUNS; run++) {
      const order = LEECHERS.map((_, i) => LEECHERS[(i + run - 1) % LEECHERS.length]);
      for (const leecher of order) {
        const out = join(cache, `swarm-out-${leecher}`);
        const work = join(cache, `swarm-work-${leecher}`);
        for (const d of [out, work]) {
          rmSync(d, { recursive: true, force: true });
          mkdirSync(d, { recursive: true });
        }
        spawnSync('sync');
        const port = await freePort();
        let m: Measurement;
        if (leecher === 'tessera' || leecher === 'tessera-base') {
          const checkout = leecher === 'tessera' ? repo : BASELINE!;
          // TESSERA_BENCH_PROFILE=1 runs Tessera under V8's sampling profiler and sums the profile (slower; for finding hot spots).
          const profDir = join(work, 'cpu-prof');
          const profile = PROFILE && leecher === 'tessera' ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
          const tessera = [process.execPath, ...profile, join(checkout, 'bin', 'tessera.js'), 'download', torrent.file, '--out', out, '--port', String(port), '--no-dht', '--no-lsd'];
          // TESSERA_BENCH_STRACE=1 counts Tessera's system calls (strace -c -f; slower, for finding small reads and writes).
          const straceFile = join(work, 'strace.txt');
          const traced = STRACE && leecher === 'tessera' ? ['strace', '-c', '-f', '-o', straceFile, ...tessera] : tessera;
          m = await timed(`${leecher}-${run}`, traced[0], traced.slice(1), work, 300_000);
          if (traced !== tessera) console.log(readFileSync(straceFile, 'utf8').split('\n').slice(0, 16).join('\n'));
          if (profile.length > 0) for (const file of readdirSync(profDir)) summariseProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile);
        } else if (leecher === 'aria2') {
          m = await timed(`aria2-${run}`, 'aria2c', aria2Args({ role: 'leech', torrentFile: torrent.file, dataDir: out, port }, null), work, 300_000);
        } else {
          m = await timed(`libtorrent-${run}`, SYSTEM_PYTHON, libtorrentArgs({ role: 'leech', torrentFile: torrent.file, dataDir: out, port, exitOnFinish: true }), work, 300_000);
        }
        const got = (await sha1OfTree(join(out, payload.name))).get('bench.bin');
        if (!got || got.sha1 !== want) throw new Error(`${leecher} run ${run}: downloaded data does not match`);
        results[leecher].push(m);
        console.log(`  run ${run} ${leecher.padEnd(12)} ${(SIZE / 1e6 / m.wallSeconds).toFixed(0).padStart(5)} MB/s  ${((m.cpuSeconds * 2 ** 30) / SIZE).toFixed(2)} CPU s/GiB  ${m.peakRssMiB.toFixed(0)} MiB`);
        rmSync(out, { recursive: true, force: true });
      }
    }
    await swarm.stop();
    const rows = LEECHERS.map((name) => ({
      name,
      mbps: median(results[name].map((r) => SIZE / 1e6 / r.wallSeconds)),
      cpuPerGiB: median(results[name].map((r) => (r.cpuSeconds * 2 ** 30) / SIZE)),
      rss: Math.max(...results[name].map((r) => r.peakRssMiB)),
    }));
    console.log('\n| leecher | median MB/s | CPU s per GiB | peak RSS MiB |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.name} | ${r.mbps.toFixed(0)} | ${r.cpuPerGiB.toFixed(2)} | ${r.rss.toFixed(0)} |`);
    const tessera = rows.find((r) => r.name === 'tessera');
    const others = rows.filter((r) => r.name === 'aria2' || r.name === 'libtorrent');
    if (tessera && others.length > 0) {
      const best = others.reduce((a, b) => (a.mbps >= b.mbps ? a : b));
      console.log(`\nTessera / best other (${best.name}): speed ${(tessera.mbps / best.mbps).toFixed(2)}x, CPU per GiB ${(tessera.cpuPerGiB / Math.min(...others.map((o) => o.cpuPerGiB))).toFixed(2)}x of the lowest`);
    }
    if (tessera) {
      const budgetMiB = defaultPartialPieceMemory() / 2 ** 20;
      console.log(`Tessera peak RSS ${tessera.rss.toFixed(0)} MiB; partial-piece budget ${budgetMiB.toFixed(0)} MiB + 64 MiB = ${(budgetMiB + 64).toFixed(0)} MiB (${tessera.rss <= budgetMiB + 64 ? 'within' : 'OVER'})`);
    }
  } finally {
    await stopAll();
    await tracker.close();
  }
}

await main();

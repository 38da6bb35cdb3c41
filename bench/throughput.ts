// Download throughput against a real seeder: Tessera, aria2 and libtorrent each fetch the same 1 GiB
// torrent (1 MiB pieces) from one libtorrent seeder on loopback, three times each, in one run.
// Every leecher runs under GNU time and exits on completion, so wall time, CPU seconds and peak RSS
// are measured the same way for all of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SYSTEM_PYTHON,
  aria2Args,
  freePort,
  libtorrentArgs,
  makeTestPayload,
  makeTorrent,
  startLibtorrent,
  startTracker,
  stopAll,
  sha1OfTree,
} from '../engine/testing/index.js';
import { median, timed, type Measurement } from './measure.js';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SIZE = Number(process.env.TESSERA_BENCH_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.TESSERA_BENCH_RUNS ?? 3);
const cache = process.env.TESSERA_BENCH_DIR ?? join(tmpdir(), 'tessera-bench');
/**
 * TESSERA_BENCH_BASELINE=<another built checkout> adds its Tessera as a fourth leecher, "tessera-base", so a change
 * is compared with the commit before it in the same run (e.g. a `git worktree` of the old commit after `npm run build`).
 */
const BASELINE = process.env.TESSERA_BENCH_BASELINE ? resolve(process.env.TESSERA_BENCH_BASELINE) : null;
/**
 * TESSERA_BENCH_CLIENTS=tessera,aria2 runs a subset (for profiling; the comparison needs all three).
 * `tessera-nosync` is this checkout's Tessera with its data fsync off (TESSERA_DATA_SYNC=0: no fdatasync before a
 * resume record claims pieces): `TESSERA_BENCH_CLIENTS=tessera,tessera-nosync` measures what durability costs
 * (issue 15: within 5 %). `tessera` always runs with it on, as users do.
 */
const LEECHERS = (process.env.TESSERA_BENCH_CLIENTS ?? `tessera,aria2,libtorrent${BASELINE ? ',tessera-base' : ''}`).split(',') as Leecher[];


type Leecher = 'tessera' | 'aria2' | 'libtorrent' | 'tessera-base' | 'tessera-nosync';



async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is missing: apt-get install -y time');
  if (!existsSync(join(repo, 'dist', 'engine', 'cli', 'main.js'))) throw new Error('run "npm run build" first (npm run bench does it)');
  if (BASELINE && !existsSync(join(BASELINE, 'dist', 'engine', 'cli', 'main.js'))) throw new Error(`TESSERA_BENCH_BASELINE: ${BASELINE} is not built; run "npm run build" there first`);
  mkdirSync(cache, { recursive: true });
  const tracker = await startTracker({ intervalSeconds: 5 });
  try {
    const payloadDir = join(cache, `payload-${SIZE}`);
    const payload = await makeTestPayload(payloadDir, { name: 'bench', files: [{ path: 'bench.bin', size: SIZE }], seed: 7 });
    const torrent = await makeTorrent({ source: payload.root, out: join(cache, 'bench.torrent'), tiers: [[tracker.httpUrl]], pieceLengthLog2: 20 });
    const expected = await sha1OfTree(payload.root);
    const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: payloadDir, port: await freePort(), seedMode: true, workDir: join(cache, 'seeder') });
    await seeder.ready;
    await tracker.waitForPeers(torrent.infoHash, 1, 30_000, { seedsOnly: true });
    console.log(`bench: ${SIZE} bytes, ${SIZE / 2 ** 20} pieces of 1 MiB, libtorrent seeder on 127.0.0.1:${seeder.port}, ${RUNS} runs each`);

    const results: Record<Leecher, Measurement[]> = { tessera: [], aria2: [], libtorrent: [], 'tessera-base': [], 'tessera-nosync': [] };
    for (let run = 1; run <= RUNS; run++) {
      // Rotate the order each round: a run pays for the kernel still cleaning up after the one before it.
      const order = LEECHERS.map((_, i) => LEECHERS[(i + run - 1) % LEECHERS.length]);
      for (const leecher of order) {
        const out = join(cache, `out-${leecher}`);
        const work = join(cache, `work-${leecher}`);
        rmSync(out, { recursive: true, force: true });
        rmSync(work, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        mkdirSync(work, { recursive: true });
        // Flush the previous run's dirty pages so its writeback does not land on this run.
        spawnSync('sync');
        const port = await freePort();
        let m: Measurement;
        if (leecher === 'tessera' || leecher === 'tessera-base' || leecher === 'tessera-nosync') {
          const checkout = leecher === 'tessera-base' ? BASELINE! : repo;
          const env = leecher === 'tessera-nosync' ? { TESSERA_DATA_SYNC: '0' } : undefined;
          m = await timed(`${leecher}-${run}`, process.execPath, [join(checkout, 'bin', 'tessera.js'), 'download', torrent.file, '--out', out, '--port', String(port), '--no-dht', '--no-lsd', ...(process.env.TESSERA_BENCH_VERBOSE ? ['--verbose'] : [])], work, 180_000, env);
        } else if (leecher === 'aria2') {
          m = await timed(`aria2-${run}`, 'aria2c', aria2Args({ role: 'leech', torrentFile: torrent.file, dataDir: out, port }, null), work, 180_000);
        } else {
          m = await timed(`libtorrent-${run}`, SYSTEM_PYTHON, libtorrentArgs({ role: 'leech', torrentFile: torrent.file, dataDir: out, port, exitOnFinish: true }), work, 180_000);
        }
        const got = await sha1OfTree(join(out, payload.name));
        const want = expected.get('bench.bin')!;
        const have = got.get('bench.bin');
        if (!have || have.sha1 !== want.sha1) throw new Error(`${leecher} run ${run}: downloaded data does not match`);
        results[leecher].push(m);
        const mbps = SIZE / 1e6 / m.wallSeconds;
        console.log(`  run ${run} ${leecher.padEnd(10)} ${mbps.toFixed(0).padStart(5)} MB/s  ${m.cpuSeconds.toFixed(2)} CPU s (user ${m.userSeconds.toFixed(2)}, sys ${m.sysSeconds.toFixed(2)})  ${m.peakRssMiB.toFixed(0)} MiB`);
        rmSync(out, { recursive: true, force: true });
      }
    }
    await seeder.stop();

    if (LEECHERS.includes('tessera') && LEECHERS.includes('tessera-nosync')) {
      // Paired round by round (the rounds rotate the order), then the median: the machine's load shifts between rounds.
      const ratios = results.tessera.map((m, i) => results['tessera-nosync'][i].wallSeconds / m.wallSeconds);
      const speed = (ms: Measurement[]): string => median(ms.map((r) => SIZE / 1e6 / r.wallSeconds)).toFixed(0);
      console.log(`\nfsync on / off: median ${speed(results.tessera)} vs ${speed(results['tessera-nosync'])} MB/s; speed ratio per round ${ratios.map((r) => r.toFixed(3)).join(' ')}, median ${median(ratios).toFixed(3)} (target >= 0.95)`);
    }
    if (!['tessera', 'aria2', 'libtorrent'].every((l) => LEECHERS.includes(l as Leecher))) return;
    const rows = LEECHERS.map((name) => {
      const rs = results[name];
      return {
        name,
        mbps: median(rs.map((r) => SIZE / 1e6 / r.wallSeconds)),
        cpu: median(rs.map((r) => r.cpuSeconds)),
        rss: Math.max(...rs.map((r) => r.peakRssMiB)),
      };
    });
    const others = rows.filter((r) => r.name === 'aria2' || r.name === 'libtorrent');
    const tessera = rows.find((r) => r.name === 'tessera')!;
    const bestRate = Math.max(...others.map((r) => r.mbps));
    const bestCpu = Math.min(...others.map((r) => r.cpu));
    const bestRss = Math.min(...others.map((r) => r.rss));
    console.log('\n| leecher | median MB/s | median CPU s | peak RSS MiB |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.name} | ${r.mbps.toFixed(0)} | ${r.cpu.toFixed(2)} | ${r.rss.toFixed(0)} |`);
    console.log(`\nTessera / best other: speed ${(tessera.mbps / bestRate).toFixed(2)}x, CPU ${(tessera.cpu / bestCpu).toFixed(2)}x, RSS ${(tessera.rss / bestRss).toFixed(2)}x`);
    const base = rows.find((r) => r.name === 'tessera-base');
    if (base) console.log(`Tessera / baseline (${BASELINE}): speed ${(tessera.mbps / base.mbps).toFixed(2)}x, CPU ${(tessera.cpu / base.cpu).toFixed(2)}x, RSS ${(tessera.rss / base.rss).toFixed(2)}x`);
    console.log(`targets: speed >= 1.00x best (${tessera.mbps >= bestRate ? 'met' : 'NOT met'}), CPU <= aria2 (${tessera.cpu <= rows.find((r) => r.name === 'aria2')!.cpu ? 'met' : 'NOT met'}), RSS < 200 MiB (${tessera.rss < 200 ? 'met' : 'NOT met'})`);
  } finally {
    await stopAll();
    await tracker.close();
  }
}

await main();

// uTP throughput on loopback: Tessera and libtorrent each download the same torrent (1 GiB, 1 MiB pieces by default)
// from one uTP-only libtorrent seeder (TCP off in and out), in one run, order rotated each round. Every leecher runs
// under GNU time with uTP only and exits on completion, so wall time and CPU seconds are measured the same way.
// TESSERA_UTP_BENCH_BYTES and TESSERA_UTP_BENCH_RUNS shrink it (e.g. 268435456 and 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON, freePort, libtorrentArgs, makeTestPayload, makeTorrent, sha1OfTree, startLibtorrent, stopAll } from '../engine/testing/index.js';
import { median, timed, type Measurement } from './measure.js';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SIZE = Number(process.env.TESSERA_UTP_BENCH_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.TESSERA_UTP_BENCH_RUNS ?? 3);
const cache = process.env.TESSERA_BENCH_DIR ?? join(tmpdir(), 'tessera-bench-utp');
/** TESSERA_UTP_BENCH_CLIENTS=tessera runs one leecher (profiling); the comparison needs both. */
const LEECHERS = (process.env.TESSERA_UTP_BENCH_CLIENTS ?? 'tessera,libtorrent').split(',') as Leecher[];
/** TESSERA_UTP_BENCH_PROFILE=<dir>: Tessera runs under --cpu-prof, profiles written there. */
const PROFILE_DIR = process.env.TESSERA_UTP_BENCH_PROFILE ? resolve(process.env.TESSERA_UTP_BENCH_PROFILE) : null;
/** Give up on a run slower than this (uTP on a busy machine can be slow; the seeder's rate varies widely). */
const RUN_TIMEOUT_MS = Math.max(180_000, (SIZE / 2e6) * 1000);

type Leecher = 'tessera' | 'libtorrent';




async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is missing: apt-get install -y time');
  if (!existsSync(join(repo, 'dist', 'engine', 'cli', 'main.js'))) throw new Error('run "npm run build" first (npm run bench utp does it)');
  mkdirSync(cache, { recursive: true });
  try {
    const payloadDir = join(cache, `payload-${SIZE}`);
    const payload = await makeTestPayload(payloadDir, { name: 'bench', files: [{ path: 'bench.bin', size: SIZE }], seed: 7 });
    const torrent = await makeTorrent({ source: payload.root, out: join(cache, 'bench.torrent'), tiers: [], pieceLengthLog2: 20 });
    const expected = (await sha1OfTree(payload.root)).get('bench.bin')!.sha1;
    const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: payloadDir, port: await freePort(), seedMode: true, utpOnly: true, noTrackers: true, workDir: join(cache, 'seeder') });
    await seeder.ready;
    const peer = `127.0.0.1:${seeder.port}`;
    console.log(`bench utp: ${SIZE} bytes, 1 MiB pieces, uTP-only libtorrent seeder on ${peer}, leechers uTP only, ${RUNS} run(s) each`);
    const results: Record<Leecher, Measurement[]> = { tessera: [], libtorrent: [] };
    for (let run = 1; run <= RUNS; run++) {
      const order = LEECHERS.map((_, i) => LEECHERS[(i + run - 1) % LEECHERS.length]);
      for (const leecher of order) {
        const out = join(cache, `out-${leecher}`);
        const work = join(cache, `work-${leecher}`);
        for (const d of [out, work]) {
          rmSync(d, { recursive: true, force: true });
          mkdirSync(d, { recursive: true });
        }
        spawnSync('sync');
        const port = await freePort();
        const m =
          leecher === 'tessera'
            ? await timed(`tessera-${run}`, process.execPath, [
                ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
                join(repo, 'bin', 'tessera.js'), 'download', torrent.file, '--out', out, '--port', String(port), '--no-dht', '--no-lsd', '--no-tcp', '--peer', peer,
                ...(process.env.TESSERA_BENCH_VERBOSE ? ['--verbose'] : []),
              ], work, RUN_TIMEOUT_MS)
            : await timed(`libtorrent-${run}`, SYSTEM_PYTHON, libtorrentArgs({ role: 'leech', torrentFile: torrent.file, dataDir: out, port, exitOnFinish: true, utpOnly: true, noTrackers: true, peers: [{ host: '127.0.0.1', port: seeder.port }] }), work, RUN_TIMEOUT_MS);
        const got = (await sha1OfTree(join(out, payload.name))).get('bench.bin');
        if (got?.sha1 !== expected) throw new Error(`${leecher} run ${run}: downloaded data does not match`);
        results[leecher].push(m);
        console.log(`  run ${run} ${leecher.padEnd(10)} ${(SIZE / 1e6 / m.wallSeconds).toFixed(1).padStart(6)} MB/s  ${((m.cpuSeconds * 2 ** 30) / SIZE).toFixed(2)} CPU s/GiB (user ${((m.userSeconds * 2 ** 30) / SIZE).toFixed(2)}, sys ${((m.sysSeconds * 2 ** 30) / SIZE).toFixed(2)})  ${m.peakRssMiB.toFixed(0)} MiB`);
        rmSync(out, { recursive: true, force: true });
      }
    }
    await seeder.stop();
    console.log('\n| leecher (uTP) | median MB/s | median CPU s/GiB | peak RSS MiB |');
    console.log('|---|---|---|---|');
    const rows = LEECHERS.map((name) => ({
      name,
      mbps: median(results[name].map((r) => SIZE / 1e6 / r.wallSeconds)),
      cpuPerGiB: median(results[name].map((r) => (r.cpuSeconds * 2 ** 30) / SIZE)),
      rss: Math.max(...results[name].map((r) => r.peakRssMiB)),
    }));
    for (const r of rows) console.log(`| ${r.name} | ${r.mbps.toFixed(1)} | ${r.cpuPerGiB.toFixed(2)} | ${r.rss.toFixed(0)} |`);
    const t = rows.find((r) => r.name === 'tessera');
    const lt = rows.find((r) => r.name === 'libtorrent');
    if (t && lt) console.log(`\nTessera / libtorrent over uTP: speed ${(t.mbps / lt.mbps).toFixed(2)}x, CPU per GiB ${(t.cpuPerGiB / lt.cpuPerGiB).toFixed(2)}x (target: speed >= 1.00x: ${t.mbps >= lt.mbps ? 'met' : 'NOT met'})`);
  } finally {
    await stopAll();
  }
}

await main();

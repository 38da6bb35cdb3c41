// Where a Tessera download's CPU goes: one Tessera leecher fetches a payload from a libtorrent seeder on loopback
// under V8's sampling profiler (--cpu-prof) and GNU time, and the profile is summed by category (our JavaScript by
// module, Node's and V8's built-ins, garbage collection, hashing, the idle loop) and by function.
//   npm run bench profile            (TESSERA_BENCH_BYTES=<n>, default 512 MiB; TESSERA_PROFILE_TOP=<n> functions)
// Kernel time (socket reads, page-cache writes) shows as "sys" in the time line and as "(program)"/idle in the profile.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, makeTestPayload, makeTorrent, startLibtorrent, startProcess, startTracker, stopAll } from '../engine/testing/index.js';
import { summariseProfile, type CpuProfile } from './cpu-profile.js';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SIZE = Number(process.env.TESSERA_BENCH_BYTES ?? 512 * 1024 ** 2);
const cache = process.env.TESSERA_BENCH_DIR ?? join(tmpdir(), 'tessera-bench');

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is missing: apt-get install -y time');
  mkdirSync(cache, { recursive: true });
  const tracker = await startTracker({ intervalSeconds: 5 });
  try {
    const payloadDir = join(cache, `payload-${SIZE}`);
    const payload = await makeTestPayload(payloadDir, { name: 'bench', files: [{ path: 'bench.bin', size: SIZE }], seed: 7 });
    const torrent = await makeTorrent({ source: payload.root, out: join(cache, `profile-${SIZE}.torrent`), tiers: [[tracker.httpUrl]], pieceLengthLog2: 20 });
    const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: payloadDir, port: await freePort(), seedMode: true, workDir: join(cache, 'profile-seeder') });
    await seeder.ready;
    await tracker.waitForPeers(torrent.infoHash, 1, 30_000, { seedsOnly: true });
    const out = join(cache, 'profile-out');
    const profDir = join(cache, 'profile-cpu');
    for (const d of [out, profDir]) {
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
    }
    const report = join(profDir, 'time');
    const args = ['-f', '%e %U %S %M', '-o', report, process.execPath, '--cpu-prof', '--cpu-prof-dir', profDir, join(repo, 'bin', 'tessera.js'), 'download', torrent.file, '--out', out, '--port', String(await freePort()), '--no-dht', '--no-lsd'];
    const proc = startProcess('/usr/bin/time', args, { cwd: profDir, name: 'tessera-profile', killAfterMs: 3000 });
    const exit = await proc.exited;
    if (exit.code !== 0) throw new Error(`tessera exited ${exit.code ?? exit.signal}:\n${proc.tail()}`);
    const [wall, user, sys, rss] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    console.log(`tessera: ${(SIZE / 1e6 / wall).toFixed(0)} MB/s, CPU ${(user + sys).toFixed(2)} s (user ${user.toFixed(2)}, sys ${sys.toFixed(2)}), peak RSS ${(rss / 1024).toFixed(0)} MiB, for ${(SIZE / 2 ** 20).toFixed(0)} MiB`);
    const file = readdirSync(profDir).find((n) => n.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    summariseProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile);
    console.log(`\nprofile file: ${join(profDir, file)} (open in Chrome DevTools)`);
    rmSync(out, { recursive: true, force: true });
    await seeder.stop();
  } finally {
    await stopAll();
    await tracker.close();
  }
}

await main();

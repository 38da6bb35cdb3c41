// LEDBAT in the lab: a 20 Mbit/s bottleneck with a 300 ms queue between a seeder and a leecher. A uTP upload alone
// (a `tessera seed --no-tcp` feeding a uTP-only libtorrent leecher) must fill >= 90% of the link while keeping the
// queueing delay (UDP echo through the bottleneck) within ~100 ms of the empty queue's (LEDBAT's target); then a
// competing TCP bulk flow (reno: loss-based, as the lab's shaping test notes; the kernel default here, BBR, would not
// fill the queue) must get >= 80% of the link while the uTP flow yields. The same run measures libtorrent's uTP as
// the uploader, and prints the two side by side.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestPayload, makeTorrent, type ClientHandle, type ProcessHandle } from '../../testing/index.js';
import { Lab, measureRtt, runBulkFlow, sinkReceived, startBulkSink, startLabLibtorrent, startLabTessera, startUdpEcho, type RttStats } from '../../testing/lab/index.js';

const LINK_MBIT = 20;
const SIZE = 256 << 20;

interface Figures {
  uploader: string;
  aloneMbit: number;
  aloneRtt: RttStats;
  /** The TCP flow's goodput over its whole 40 s (slow start and convergence included). */
  tcpWholeMbit: number;
  /** The TCP flow's goodput over the same 15 s window as `utpWithTcpMbit` (after 20 s of convergence). */
  tcpMbit: number;
  utpWithTcpMbit: number;
  tcpRtt: RttStats;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Payload bytes the leecher has, from its progress lines. */
function have(leech: ClientHandle): number {
  const p = leech.progress();
  return p?.downloaded ?? (p ? p.fraction * SIZE : 0);
}

/** The leecher's next progress line: when it arrived and the payload bytes it reports. */
function nextProgress(leech: ClientHandle): Promise<{ at: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no progress line from the leecher for 5 s:\n${leech.process.tail()}`));
    }, 5000);
    const off = leech.process.onLine((line) => {
      const m = /^progress \S+ (\d+)/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      off();
      resolve({ at: performance.now(), bytes: Number(m[1]) });
    });
  });
}

/**
 * The leecher's goodput over about `ms`, in Mbit/s: between two progress lines, timed by their arrival (the lines
 * come every 0.5 s; reading the latest one at arbitrary times instead would be off by up to 4% over 12 s).
 */
async function rateOver(leech: ClientHandle, ms: number): Promise<number> {
  const a = await nextProgress(leech);
  await sleep(Math.max(0, ms - 600));
  const b = await nextProgress(leech);
  return ((b.bytes - a.bytes) * 8) / 1e6 / ((b.at - a.at) / 1000);
}

/** A TCP sink's goodput over `ms`, in Mbit/s, from its own `received` lines (its clock, 250 ms apart). */
async function sinkRateOver(sink: ProcessHandle, ms: number): Promise<number> {
  const a = sinkReceived(sink);
  await sleep(ms);
  const b = sinkReceived(sink);
  if (!a || !b || b.ms <= a.ms) throw new Error(`bulk sink ${sink.name}: no progress lines over the window:\n${sink.tail()}`);
  return ((b.bytes - a.bytes) * 8) / 1e6 / ((b.ms - a.ms) / 1000);
}

describe('LEDBAT on a 20 Mbit/s bottleneck with a deep queue', { timeout: 600_000 }, () => {
  let lab: Lab;
  let root = '';
  let torrentFile = '';
  let idle: RttStats;
  const figures: Figures[] = [];
  const echo = { host: '', port: 7000 };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-ledbat-'));
    const payload = await makeTestPayload(join(root, 'seed'), { name: 'ledbat', files: [{ path: 'data.bin', size: SIZE }], seed: 3 });
    torrentFile = (await makeTorrent({ source: payload.root, out: join(root, 'ledbat.torrent'), tiers: [], pieceLengthLog2: 20 })).file;
    lab = await Lab.create({
      hosts: [{ name: 'seed' }, { name: 'pc' }],
      routers: [{ name: 'r' }],
      // The queue sits on the router (its egress toward pc), as at a modem, not on the seeder's own interface: a
      // queue on the sending host throttles its TCP flow through TCP Small Queues (only ~1 ms of the flow's pacing
      // rate may wait in the local qdisc), so beside uTP's 40 ms of queue TCP got ~4 Mbit/s however LEDBAT behaved.
      links: [{ a: 'seed', b: 'r' }, { a: 'r', b: 'pc', rate: `${LINK_MBIT}mbit`, queueMs: 300 }],
      tcpCongestion: 'reno',
    });
    echo.host = lab.address('pc');
    await startUdpEcho(lab, 'pc', echo.port);
    idle = await measureRtt(lab, 'seed', echo, { count: 30, intervalMs: 20, waitMs: 1000 });
  });

  after(async () => {
    await lab?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** One uploader across the bottleneck: alone, then against a TCP bulk flow. */
  async function measure(uploader: 'tessera' | 'libtorrent', seedPort: number, sinkPort: number): Promise<Figures> {
    const seed =
      uploader === 'tessera'
        ? startLabTessera(lab, 'seed', ['seed', torrentFile, '--data', join(root, 'seed'), '--port', String(seedPort), '--no-tcp'], 'tessera-ledbat-seed')
        : (await startLabLibtorrent(lab, 'seed', { role: 'seed', torrentFile, dataDir: join(root, 'seed'), port: seedPort, utpOnly: true, noTrackers: true, seedMode: true, workDir: join(root, 'lt-seed') })).process;
    if (uploader === 'tessera') await seed.waitForLine(/^seeding /, 60_000);
    const leech = await startLabLibtorrent(lab, 'pc', {
      role: 'leech', torrentFile, dataDir: join(root, `leech-${uploader}`), port: 6881, utpOnly: true, noTrackers: true,
      peers: [{ host: lab.address('seed'), port: seedPort }], workDir: join(root, `lt-leech-${uploader}`),
    });
    const sink = await startBulkSink(lab, 'pc', sinkPort);
    try {
      const deadline = Date.now() + 60_000;
      while (have(leech) < 4 << 20) {
        if (Date.now() > deadline) throw new Error(`${uploader}: the uTP transfer did not start; seeder output:\n${seed.tail()}`);
        await sleep(200);
      }
      await sleep(3000); // past slow start
      const [aloneMbit, aloneRtt] = await Promise.all([rateOver(leech, 12_000), measureRtt(lab, 'seed', echo, { count: 200, intervalMs: 50, waitMs: 1500 })]);
      // Reno grows by one segment per round trip: give it time to fill the queue past LEDBAT's target, then measure.
      const flow = runBulkFlow(lab, 'seed', sink, { host: lab.address('pc'), port: sinkPort }, 40);
      await sleep(20_000);
      // Both flows over the same 15 s: the TCP figure must not include its own slow start or the convergence.
      const [utpWithTcpMbit, tcpMbit, tcpRtt] = await Promise.all([
        rateOver(leech, 15_000),
        sinkRateOver(sink, 15_000),
        measureRtt(lab, 'seed', echo, { count: 250, intervalMs: 50, waitMs: 1500 }),
      ]);
      const tcp = await flow;
      assert.ok(have(leech) < SIZE, `${uploader}: the payload ran out before the measurement ended`);
      return { uploader, aloneMbit, aloneRtt, tcpWholeMbit: tcp.mbit, tcpMbit, utpWithTcpMbit, tcpRtt };
    } finally {
      await leech.stop();
      await seed.stop();
      await sink.stop();
    }
  }

  it('Tessera uTP (tessera seed --no-tcp) fills the link alone, keeps the queue near LEDBAT target, and yields to TCP', async () => {
    const f = await measure('tessera', 6881, 5001);
    figures.push(f);
    const report = describe1(f);
    console.log(report);
    assert.ok(f.aloneMbit >= 0.9 * LINK_MBIT, `uTP alone below 90% of the link: ${report}`);
    assert.ok(f.aloneRtt.medianMs <= idle.medianMs + 120, `uTP alone built more than ~100 ms of queue: ${report}`);
    assert.ok(f.tcpMbit >= 0.8 * LINK_MBIT, `the TCP flow got less than 80% of the link: ${report}`);
  });

  it("libtorrent's uTP on the same link, side by side", async () => {
    const f = await measure('libtorrent', 6882, 5002);
    figures.push(f);
    console.log(describe1(f));
    console.log(`\n| uploader (uTP) | alone Mbit/s | RTT alone (idle ${idle.medianMs.toFixed(1)} ms) | TCP Mbit/s beside it | uTP Mbit/s beside TCP | RTT with TCP |`);
    console.log('|---|---|---|---|---|---|');
    for (const x of figures) console.log(`| ${x.uploader} | ${x.aloneMbit.toFixed(1)} | ${x.aloneRtt.medianMs.toFixed(0)} ms | ${x.tcpMbit.toFixed(1)} | ${x.utpWithTcpMbit.toFixed(1)} | ${x.tcpRtt.medianMs.toFixed(0)} ms |`);
  });

  function describe1(f: Figures): string {
    return `${f.uploader}: uTP alone ${f.aloneMbit.toFixed(1)} Mbit/s, RTT median ${f.aloneRtt.medianMs.toFixed(1)} ms (idle ${idle.medianMs.toFixed(1)} ms); with a reno TCP flow: TCP ${f.tcpMbit.toFixed(1)} Mbit/s (${f.tcpWholeMbit.toFixed(1)} over its whole 40 s), uTP ${f.utpWithTcpMbit.toFixed(1)} Mbit/s, RTT median ${f.tcpRtt.medianMs.toFixed(1)} ms`;
  }
});

// uTP over a lossy path: a `tessera seed --no-tcp` on one lab host and a `tessera download --no-tcp` on another, every
// datagram passing through the lab's user-space relay, which drops 5% of them at random in EACH direction (DATA one
// way, ACKs the other) and delays each by 2 ms. The 32 MiB payload must arrive byte for byte; the goodput is printed.
// The full clients (not two bare UtpSockets) so MSE, the wire protocol and back-pressure run over the lossy uTP too.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertTreesEqual, makeTestPayload, makeTorrent, withTimeout } from '../../testing/index.js';
import { Lab, startDelayRelay, startLabTessera, stopRelay } from '../../testing/lab/index.js';
import { lastJsonLine } from '../interop/tessera-process.js';

const SIZE = 32 << 20;
const LOSS = 0.05;

describe('uTP through a 5% loss relay', { timeout: 420_000 }, () => {
  let lab: Lab;
  let root = '';

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-utp-loss-'));
    lab = await Lab.create({ hosts: [{ name: 'seed' }, { name: 'pc' }], routers: [{ name: 'r' }], links: [{ a: 'seed', b: 'r' }, { a: 'r', b: 'pc' }] });
  });

  after(async () => {
    await lab?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a 32 MiB Tessera-to-Tessera transfer over uTP only completes byte for byte', async () => {
    const payload = await makeTestPayload(join(root, 'seed'), { name: 'lossy', files: [{ path: 'data.bin', size: SIZE }], seed: 5 });
    const torrent = await makeTorrent({ source: payload.root, out: join(root, 'lossy.torrent'), tiers: [], pieceLengthLog2: 18 });
    const seed = startLabTessera(lab, 'seed', ['seed', torrent.file, '--data', join(root, 'seed'), '--port', '6881', '--no-tcp'], 'tessera-loss-seed');
    await seed.waitForLine(/^seeding /, 60_000);
    // The relay sits on the router: the leecher dials the relay, which forwards to the seeder from its own socket.
    const relay = await startDelayRelay(lab, 'r', { port: 7881, to: { host: lab.address('seed'), port: 6881 }, delayMs: 2, lossUp: LOSS, lossDown: LOSS, seed: 11 });
    const out = join(root, 'download');
    const relayAddress = lab.address('r', { toward: 'pc' });
    const leech = startLabTessera(lab, 'pc', ['download', torrent.file, '--out', out, '--peer', `${relayAddress}:7881`, '--port', '6882', '--no-tcp', '--json', '--verbose'], 'tessera-loss-leech');
    const exit = await withTimeout(leech.exited, 360_000, 'Tessera download through the 5% loss relay');
    const counts = await stopRelay(relay);
    await seed.stop();
    assert.equal(exit.code, 0, `tessera download failed:\n${leech.tail()}`);
    const summary = lastJsonLine(leech.lines());
    const upLoss = counts.up.dropped / (counts.up.forwarded + counts.up.dropped);
    const downLoss = counts.down.dropped / (counts.down.forwarded + counts.down.dropped);
    console.log(
      `# ${summary.totalBytes} bytes in ${summary.seconds} s: ${((summary.totalBytes * 8) / summary.seconds / 1e6).toFixed(1)} Mbit/s goodput over uTP; ` +
        `relay dropped ${(downLoss * 100).toFixed(1)}% of ${counts.down.forwarded + counts.down.dropped} datagrams seeder→leecher and ${(upLoss * 100).toFixed(1)}% of ${counts.up.forwarded + counts.up.dropped} leecher→seeder`,
    );
    assert.equal(summary.complete, true);
    assert.ok(leech.lines().some((l) => /uTP/.test(l)), `the leecher did not report a uTP connection:\n${leech.tail()}`);
    // The relay really was lossy in both directions (and carried the transfer: nothing bypassed it).
    // Packets grow with path MTU discovery, to at most an Ethernet-sized datagram's 1452-byte payload on these links.
    assert.ok(counts.down.forwarded * 1452 > SIZE * 0.9, `the relay forwarded too little for the payload: ${JSON.stringify(counts)}`);
    assert.ok(Math.abs(downLoss - LOSS) < 0.01 && Math.abs(upLoss - LOSS) < 0.02, `relay loss off 5%: ${JSON.stringify(counts)}`);
    await assertTreesEqual(payload.root, join(out, payload.name));
  });
});

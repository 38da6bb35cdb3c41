// Timed UDP echo. `server --port P`: sends every datagram back. `client --to host:port --count N --interval-ms I`:
// sends N numbered probes every I ms, waits --wait-ms for late replies, then prints
// {"sent":N,"received":R,"rttsMs":[...]} (one RTT per answered probe, in send order).
import { createSocket } from 'node:dgram';
import { endpoint, familyOf, flags, num, report } from './args.js';

const { mode, flags: f } = flags(process.argv.slice(2), ['port', 'to', 'count', 'interval-ms', 'wait-ms', 'size']);

if (mode === 'server') {
  const port = num(f, 'port');
  const sock = createSocket({ type: 'udp6', ipv6Only: false });
  const seen = new Set<string>();
  sock.on('message', (msg, from) => {
    // Each new source address once: NAT tests check what a public host sees.
    const source = from.address.replace(/^::ffff:/, '');
    if (!seen.has(source) && seen.size < 100) {
      seen.add(source);
      console.log(`from ${source}`);
    }
    sock.send(msg, from.port, from.address);
  });
  sock.bind(port, () => console.log(`listening ${port}`));
} else if (mode === 'client') {
  const to = endpoint(f, 'to');
  const count = num(f, 'count', 50);
  const intervalMs = num(f, 'interval-ms', 20);
  const waitMs = num(f, 'wait-ms', 2000);
  const size = Math.max(16, num(f, 'size', 64));
  const sentAt = new Float64Array(count);
  const rtt = new Float64Array(count).fill(-1);
  const sock = createSocket(familyOf(to.host));
  // Unreachable networks (EHOSTUNREACH, ENETUNREACH) count as lost probes, like a silent drop.
  sock.on('error', () => {});
  sock.on('message', (msg) => {
    if (msg.length < 8) return;
    const seq = msg.readUInt32BE(0);
    if (msg.readUInt32BE(4) !== 0x7e57ec40 || seq >= count || rtt[seq] >= 0) return;
    rtt[seq] = performance.now() - sentAt[seq];
  });
  const packet = Buffer.alloc(size);
  packet.writeUInt32BE(0x7e57ec40, 4);
  let seq = 0;
  const finish = (): void => {
    const rttsMs = [...rtt].filter((r) => r >= 0).map((r) => Math.round(r * 100) / 100);
    report({ sent: count, received: rttsMs.length, rttsMs });
    sock.close();
  };
  const tick = (): void => {
    packet.writeUInt32BE(seq, 0);
    sentAt[seq] = performance.now();
    sock.send(packet, to.port, to.host, () => {});
    if (++seq < count) setTimeout(tick, intervalMs);
    else setTimeout(finish, waitMs);
  };
  tick();
} else {
  console.error('usage: udp-echo.ts server --port P | client --to host:port [--count N] [--interval-ms I] [--wait-ms W] [--size B]');
  process.exit(2);
}

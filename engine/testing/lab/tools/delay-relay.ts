// A user-space delay/loss relay (the machines have no netem). Listens on --port (UDP, and TCP with --tcp) and forwards
// to --to host:port, holding every datagram or stream chunk --delay-ms in each direction. UDP datagrams are dropped at
// random with --loss-up (client → target) and --loss-down (target → client), from a PRNG seeded with --seed, so a run
// can be replayed. Each UDP client gets its own upstream socket, like a NAT mapping. Prints `listening P`, and on
// SIGINT/SIGTERM `{"up":{"forwarded":F,"dropped":D},"down":{...}}`.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { connect, createServer, type Socket as TcpSocket } from 'node:net';
import { seededRandom } from '../../random.js';
import { endpoint, familyOf, flags, num, report } from './args.js';

const { flags: f } = flags(process.argv.slice(2), ['port', 'to', 'delay-ms', 'loss-up', 'loss-down', 'seed', 'tcp']);
const port = num(f, 'port');
const target = endpoint(f, 'to');
const delayMs = num(f, 'delay-ms', 0);
const lossUp = num(f, 'loss-up', 0);
const lossDown = num(f, 'loss-down', 0);
// One generator per direction, so the drops of each depend only on its own packet order (replayable from the seed).
const seed = num(f, 'seed', 1);
const randomUp = seededRandom(seed);
const randomDown = seededRandom(seed ^ 0x5bd1e995);
const withTcp = f.tcp === '1';

/** A FIFO of actions due `delayMs` after they were queued; one timer for the whole line (constant delay keeps order). */
class DelayLine {
  private readonly due: number[] = [];
  private readonly actions: (() => void)[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  queued = 0;

  push(action: () => void, bytes = 0): void {
    this.due.push(performance.now() + delayMs);
    this.actions.push(action);
    this.queued += bytes;
    if (!this.timer) this.arm();
  }

  private arm(): void {
    const wait = Math.max(0, this.due[this.head] - performance.now());
    this.timer = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = null;
    const now = performance.now();
    while (this.head < this.due.length && this.due[this.head] <= now + 0.5) this.actions[this.head++]();
    if (this.head > 1024 && this.head * 2 > this.due.length) {
      this.due.splice(0, this.head);
      this.actions.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.due.length) this.arm();
  }
}

const stats = { up: { forwarded: 0, dropped: 0 }, down: { forwarded: 0, dropped: 0 } };

// UDP: one upstream socket per client address.
const listener = createSocket({ type: 'udp6', ipv6Only: false });
const upstreams = new Map<string, Socket>();
const upLine = new DelayLine();
const downLine = new DelayLine();
listener.on('message', (msg: Buffer, from: RemoteInfo) => {
  const key = `${from.address}|${from.port}`;
  let up = upstreams.get(key);
  if (!up) {
    const sock = createSocket(familyOf(target.host));
    sock.on('message', (reply: Buffer) => {
      if (randomDown() < lossDown) return void stats.down.dropped++;
      stats.down.forwarded++;
      downLine.push(() => listener.send(reply, from.port, from.address));
    });
    upstreams.set(key, sock);
    up = sock;
  }
  if (randomUp() < lossUp) return void stats.up.dropped++;
  stats.up.forwarded++;
  const sock = up;
  upLine.push(() => sock.send(msg, target.port, target.host));
});

/** Copies one direction of a TCP connection through a delay line, pausing the reader while much is in flight. */
function pipeDelayed(from: TcpSocket, to: TcpSocket): void {
  const line = new DelayLine();
  const HIGH_WATER = 4 * 1024 * 1024;
  from.on('data', (chunk: Buffer) => {
    line.push(() => {
      line.queued -= chunk.length;
      to.write(chunk);
      if (from.isPaused() && line.queued < HIGH_WATER / 2) from.resume();
    }, chunk.length);
    if (line.queued > HIGH_WATER) from.pause();
  });
  from.on('end', () => line.push(() => to.end()));
  from.on('error', () => line.push(() => to.destroy()));
}

listener.bind(port, () => {
  if (!withTcp) return void console.log(`listening ${port}`);
  const server = createServer((client) => {
    const up = connect(target.port, target.host);
    pipeDelayed(client, up);
    pipeDelayed(up, client);
  });
  server.listen(port, () => console.log(`listening ${port}`));
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    report(stats);
    process.exit(0);
  });
}

// Test help: two uTP connections over a simulated network with an injected clock. Datagrams take a configurable
// delay and can be dropped, duplicated and reordered (a seeded random source: failures reproduce). Each side plays
// the socket's part: decode, accept a SYN, receive, flush after each datagram, tick every 10 ms of simulated time.
import { UtpConnection, type UtpConnectionOptions } from './connection.js';
import { seededRandom } from '../../testing/random.js';
import { ST_SYN, decodePacketInto, emptyPacket } from './packet.js';

export interface LinkOptions {
  /** One-way delay in microseconds. */
  readonly delayMicros?: number;
  /** Extra random delay up to this many microseconds (reorders packets). */
  readonly jitterMicros?: number;
  /** Probability that a datagram is dropped / delivered twice. */
  readonly loss?: number;
  readonly duplicate?: number;
  /** Datagrams per direction per millisecond the link carries before it queues (0: unlimited). */
  readonly packetsPerMs?: number;
  /** Datagrams (UDP payloads) longer than this vanish without a trace: a path MTU black hole (0: no limit). */
  readonly maxDatagram?: number;
}

export interface SimOptions extends LinkOptions {
  readonly seed?: number;
  readonly conn?: UtpConnectionOptions;
  /** First sequence numbers of the initiator and the acceptor (test wrap-around by starting near 65535). */
  readonly initiatorSeq?: number;
  readonly acceptorSeq?: number;
}

export interface SimSide {
  conn: UtpConnection | null;
  readonly received: Uint8Array[];
  receivedBytes: number;
  closedReason: string | null;
  connected: boolean;
  drains: number;
  datagramsOut: number;
  /** Called with each delivered chunk (after it is recorded). */
  onData?: (chunk: Uint8Array) => void;
}

interface InFlight {
  at: number;
  order: number;
  to: 'a' | 'b';
  data: Uint8Array;
}

export class SimNetwork {
  now = 1_000_000;
  readonly a: SimSide = newSide();
  readonly b: SimSide = newSide();
  readonly random: () => number;
  private queue: InFlight[] = [];
  private order = 0;
  private nextTick = 0;
  private readonly link: Required<LinkOptions>;
  private readonly linkFree = { a: 0, b: 0 };
  private readonly packet = emptyPacket();
  /** Called with every datagram put on the wire (before loss): tests may record or tamper. */
  tap?: (to: 'a' | 'b', data: Uint8Array) => Uint8Array | null;

  constructor(private readonly opts: SimOptions = {}) {
    this.random = seededRandom(opts.seed ?? 1);
    this.link = { delayMicros: 10_000, jitterMicros: 0, loss: 0, duplicate: 0, packetsPerMs: 0, maxDatagram: 0, ...opts };
  }

  /** Side A connects to side B. */
  connect(): void {
    this.a.conn = UtpConnection.connect(0x1234, this.opts.initiatorSeq ?? 1, this.events(this.a, 'b'), this.opts.conn ?? {}, this.now);
  }

  /** Changes loss/delay mid-test (e.g. cut the link). */
  setLink(link: LinkOptions): void {
    Object.assign(this.link, link);
  }

  /** Puts a datagram on the wire towards `to` (subject to the link's delay, loss and duplication). */
  inject(to: 'a' | 'b', data: Uint8Array): void {
    const tapped = this.tap ? this.tap(to, data) : data;
    if (tapped === null) return;
    if (this.link.maxDatagram > 0 && tapped.length > this.link.maxDatagram) return;
    if (this.random() < this.link.loss) return;
    const copies = this.random() < this.link.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      let at = this.now + this.link.delayMicros + this.random() * this.link.jitterMicros;
      if (this.link.packetsPerMs > 0) {
        const slot = Math.max(this.now, this.linkFree[to]);
        this.linkFree[to] = slot + 1000 / this.link.packetsPerMs;
        at += slot - this.now;
      }
      this.queue.push({ at, order: this.order++, to, data: tapped });
    }
  }

  /** Runs until `done()` holds or `limitMicros` of simulated time pass; returns whether `done()` held. */
  run(done: () => boolean, limitMicros: number, maxSteps = 5_000_000): boolean {
    const end = this.now + limitMicros;
    for (let step = 0; step < maxSteps; step++) {
      if (done()) return true;
      this.queue.sort((x, y) => x.at - y.at || x.order - y.order);
      const next = this.queue[0];
      if (this.nextTick <= this.now) this.nextTick = this.now + 10_000;
      const t = next && next.at < this.nextTick ? next.at : this.nextTick;
      if (t > end) {
        this.now = end;
        return done();
      }
      this.now = Math.max(this.now, t);
      if (next && next.at === t) {
        this.queue.shift();
        this.deliver(next.to, next.data);
      } else {
        this.a.conn?.tick(this.now);
        this.b.conn?.tick(this.now);
        this.nextTick = this.now + 10_000;
      }
    }
    throw new Error('simulation step limit reached');
  }

  private deliver(to: 'a' | 'b', data: Uint8Array): void {
    const side = to === 'a' ? this.a : this.b;
    if (decodePacketInto(data, this.packet) !== null) return;
    if (side.conn === null) {
      if (to !== 'b' || this.packet.type !== ST_SYN) return;
      side.conn = UtpConnection.accept(this.packet, this.opts.acceptorSeq ?? 40_000, this.events(side, 'a'), this.opts.conn ?? {}, this.now);
      side.connected = true;
      return;
    }
    if (this.packet.connectionId !== side.conn.recvId && !(this.packet.type === ST_SYN && this.packet.connectionId === side.conn.sendId)) return;
    side.conn.receive(this.packet, data, this.now);
    side.conn.flush(this.now);
  }

  private events(side: SimSide, peer: 'a' | 'b') {
    return {
      send: (d: Uint8Array) => {
        side.datagramsOut++;
        this.inject(peer, d);
      },
      data: (chunk: Uint8Array) => {
        side.received.push(chunk.slice());
        side.receivedBytes += chunk.length;
        side.onData?.(chunk);
      },
      connected: () => {
        side.connected = true;
      },
      drained: () => {
        side.drains++;
      },
      closed: (reason: string) => {
        side.closedReason = reason;
      },
    };
  }
}

function newSide(): SimSide {
  return { conn: null, received: [], receivedBytes: 0, closedReason: null, connected: false, drains: 0, datagramsOut: 0 };
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

/** Deterministic test payload. */
export function payload(bytes: number, seed = 7): Uint8Array {
  const r = seededRandom(seed);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (r() * 256) | 0;
  return out;
}

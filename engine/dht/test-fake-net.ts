// Test helper: an in-memory datagram network on a fake clock, for RPC and node tests (no sockets, no sleeping).
import { ManualClock } from '../common/clock.js';
import { FakeScheduler } from '../net/test-scheduler.js';
import type { Address, DatagramTransport } from './rpc.js';

type Handler = (data: Uint8Array, from: Address) => void;

export class FakeEndpoint implements DatagramTransport {
  readonly handlers = new Set<Handler>();
  /** Every datagram this endpoint sent, in order. */
  readonly sent: Array<{ data: Uint8Array; to: Address }> = [];
  closed = false;

  constructor(
    private readonly net: FakeNet,
    readonly address: Address,
  ) {}

  send(data: Uint8Array, host: string, port: number): void {
    if (this.closed) return;
    this.sent.push({ data: new Uint8Array(data), to: { host, port } });
    this.net.deliver(new Uint8Array(data), this.address, { host, port });
  }

  onMessage(fn: Handler): () => void {
    this.handlers.add(fn);
    return () => this.handlers.delete(fn);
  }

  close(): void {
    this.closed = true;
    this.net.detach(this);
  }
}

export class FakeNet {
  readonly clock = new ManualClock(1_000_000);
  readonly scheduler = new FakeScheduler(this.clock);
  private readonly endpoints = new Map<string, FakeEndpoint>();
  /** Addresses whose incoming datagrams are lost. */
  readonly blackholes = new Set<string>();
  delivered = 0;

  constructor(readonly latencyMs = 10) {}

  endpoint(host: string, port: number): FakeEndpoint {
    const ep = new FakeEndpoint(this, { host, port });
    this.endpoints.set(`${host}:${port}`, ep);
    return ep;
  }

  detach(ep: FakeEndpoint): void {
    const key = `${ep.address.host}:${ep.address.port}`;
    if (this.endpoints.get(key) === ep) this.endpoints.delete(key);
  }

  deliver(data: Uint8Array, from: Address, to: Address): void {
    const key = `${to.host}:${to.port}`;
    this.scheduler.setTimeout(() => {
      if (this.blackholes.has(key)) return;
      const ep = this.endpoints.get(key);
      if (!ep || ep.closed) return;
      this.delivered++;
      for (const h of ep.handlers) h(data, from);
    }, this.latencyMs);
  }

  /** Advances the fake clock by `ms` in `step` slices, letting promise continuations run between slices. */
  async run(ms: number, step = this.latencyMs): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      this.scheduler.advance(Math.min(step, ms - t));
      await flush();
    }
  }
}

/** Lets pending promise callbacks (and their follow-ups) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

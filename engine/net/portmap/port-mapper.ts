/**
 * Keeps our listen port mapped on the home router for TCP and UDP (the same external port for both: trackers get one
 * `port=`, and uTP and the DHT share the TCP port number). Tries PCP, then NAT-PMP, then UPnP IGD; renews at half
 * the lease; after a failed renewal or a router reboot (NAT-PMP/PCP epoch) finds the router again and maps anew; when
 * the router refuses our external port, tries others; on stop() deletes what it mapped. It never throws: the
 * outcome is a status with one readable line.
 */
import { localAddressToward, readDefaultGateway } from './gateway.js';
import { PmpClient } from './pmp-client.js';
import { discoverIgd } from './upnp-client.js';
import { MappingError, METHOD_NAMES, type MapProtocol, type MappingBackend, type MappingGrant, type MappingMethod } from './types.js';

export type PortMapperState = 'mapping' | 'mapped' | 'failed' | 'stopped';

export interface PortMapperStatus {
  readonly state: PortMapperState;
  readonly method: MappingMethod | null;
  readonly gateway: string | null;
  readonly internalPort: number;
  readonly externalPort: number | null;
  readonly externalAddress: string | null;
  /** "Port 6881 open via UPnP on 10.0.0.1", "mapping failed: router refused (…)". */
  readonly message: string;
}

export interface PortMapperOptions {
  readonly internalPort: number;
  /** The router; default the IPv4 default gateway. */
  readonly gateway?: string;
  /** In order of preference; default PCP, NAT-PMP, UPnP. */
  readonly methods?: readonly MappingMethod[];
  /** Requested lease in seconds (default 3600). */
  readonly lifetimeSeconds?: number;
  readonly log?: (line: string) => void;
  readonly onChange?: (status: PortMapperStatus) => void;
  /** Tests: NAT-PMP/PCP port and tries, SSDP target and wait. */
  readonly pmp?: { readonly port?: number; readonly tries?: number; readonly firstTimeoutMs?: number };
  readonly upnp?: { readonly target?: { host: string; port: number }; readonly timeoutMs?: number };
  /** First retry after a failed round (default 60 s, doubling to 30 min). */
  readonly retryMs?: number;
}

const PROTOCOLS: readonly MapProtocol[] = ['tcp', 'udp'];
const PORT_TRIES = 4;
const MAX_RETRY_MS = 30 * 60_000;
/** Renew permanent UPnP mappings this often anyway: it is how we notice a router that forgot them. */
const PERMANENT_RENEW_MS = 20 * 60_000;
const MAX_RENEW_MS = 60 * 60_000;

export class PortMapper {
  private backend: MappingBackend | null = null;
  private mapped: { externalPort: number; protocols: Set<MapProtocol> } | null = null;
  private current: PortMapperStatus;
  private timer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: PortMapperOptions) {
    this.retryMs = opts.retryMs ?? 60_000;
    this.current = { state: 'mapping', method: null, gateway: opts.gateway ?? null, internalPort: opts.internalPort, externalPort: null, externalAddress: null, message: `mapping port ${opts.internalPort}…` };
  }

  get status(): PortMapperStatus {
    return this.current;
  }

  /** The first attempt; resolves when it has an outcome (mapped or failed). Later rounds run on timers. */
  start(): Promise<void> {
    return this.round();
  }

  /** Deletes our mappings (bounded by the clients' own deadlines) and stops. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    const backend = this.backend;
    const mapped = this.mapped;
    this.backend = null;
    this.mapped = null;
    if (backend && mapped) {
      await Promise.all(
        [...mapped.protocols].map((p) =>
          backend.unmap(p, this.opts.internalPort, mapped.externalPort).then(
            () => this.log(`removed the ${METHOD_NAMES[backend.method]} mapping of ${p.toUpperCase()} port ${mapped.externalPort}`),
            (err: Error) => this.log(`could not remove the ${p.toUpperCase()} mapping: ${err.message}`),
          ),
        ),
      );
    }
    await backend?.close();
    this.set({ state: 'stopped', message: 'port mapping stopped' });
  }

  private round(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= (this.backend ? this.renew(this.backend) : this.establish()).finally(() => (this.running = null));
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.round(), ms);
    this.timer.unref();
  }

  /** Finds the router and maps with the first method that works. */
  private async establish(): Promise<void> {
    const gateway = this.opts.gateway ?? (await readDefaultGateway())?.gateway;
    if (!gateway) return this.failed('no default gateway (is this machine on a network?)');
    let lanAddress: string;
    try {
      lanAddress = await localAddressToward(gateway);
    } catch (err) {
      return this.failed(`no route to the gateway ${gateway}: ${(err as Error).message}`, gateway);
    }
    this.set({ state: 'mapping', gateway, message: `mapping port ${this.opts.internalPort} on ${gateway}…` });
    const problems: MappingError[] = [];
    for (const method of this.opts.methods ?? ['pcp', 'nat-pmp', 'upnp']) {
      if (this.stopped) return;
      // PCP and NAT-PMP share UDP 5351, and a NAT-PMP-only router answers PCP ("unsupported version"): silence to
      // PCP means nobody listens there, so NAT-PMP would only wait out its retries too.
      if (method === 'nat-pmp' && problems.some((p) => p.message.startsWith('PCP: no reply'))) {
        problems.push(new MappingError(`NAT-PMP: no reply from ${gateway} (nothing answered PCP on the same port)`, 'unavailable'));
        continue;
      }
      let backend: MappingBackend | undefined;
      try {
        backend =
          method === 'upnp'
            ? await discoverIgd({ lanAddress, ...this.opts.upnp, log: this.opts.log })
            : await PmpClient.open(method, { gateway, clientAddress: lanAddress, ...this.opts.pmp });
        const grant = await this.mapAll(backend, this.mapped?.externalPort ?? this.opts.internalPort);
        if (this.stopped) {
          this.backend = backend;
          return;
        }
        this.backend = backend;
        await this.succeeded(backend, grant);
        return;
      } catch (err) {
        await backend?.close();
        const problem = err instanceof MappingError ? err : new MappingError(`${METHOD_NAMES[method]}: ${(err as Error).message}`, 'protocol');
        this.log(`port mapping: ${problem.message}`);
        problems.push(problem);
      }
    }
    // The most telling reason: a refusal beats garbage beats silence.
    const order = ['refused', 'conflict', 'protocol', 'unsupported', 'unavailable'];
    problems.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
    const best = problems[0];
    if (best?.kind === 'unavailable') {
      const tried = (this.opts.methods ?? ['pcp', 'nat-pmp', 'upnp']).map((m) => METHOD_NAMES[m]).join(', ');
      return this.failed(`no router answered (${tried}) at ${gateway}`, gateway);
    }
    return this.failed(best?.message ?? 'no method to try', gateway);
  }

  /** Maps TCP then UDP on one external port, moving to another port when the router refuses or splits them. */
  private async mapAll(backend: MappingBackend, preferred: number): Promise<MappingGrant> {
    const lifetime = this.opts.lifetimeSeconds ?? 3600;
    let port = preferred;
    let lastConflict: MappingError | undefined;
    for (let attempt = 0; attempt < PORT_TRIES; attempt++) {
      const done = new Set<MapProtocol>();
      try {
        let grant: MappingGrant | undefined;
        for (const p of PROTOCOLS) {
          const g = await backend.map(p, this.opts.internalPort, grant?.externalPort ?? port, lifetime);
          if (grant && g.externalPort !== grant.externalPort) throw new MappingError(`${METHOD_NAMES[backend.method]}: the router gave ${p.toUpperCase()} port ${g.externalPort}, not ${grant.externalPort}`, 'conflict');
          done.add(p);
          grant ??= g;
        }
        if (this.mapped && this.mapped.externalPort !== grant!.externalPort) await this.unmapQuietly(backend, this.mapped.externalPort, this.mapped.protocols);
        this.mapped = { externalPort: grant!.externalPort, protocols: done };
        return grant!;
      } catch (err) {
        if (!(err instanceof MappingError) || err.kind !== 'conflict') {
          await this.unmapQuietly(backend, port, done);
          throw err;
        }
        lastConflict = err;
        this.log(`port mapping: ${err.message}; trying another external port`);
        await this.unmapQuietly(backend, port, done);
        port = 10_000 + Math.floor(Math.random() * 50_000);
      }
    }
    throw new MappingError(`${lastConflict?.message ?? 'router refused'} (after ${PORT_TRIES} external ports)`, 'refused');
  }

  private async unmapQuietly(backend: MappingBackend, externalPort: number, protocols: Iterable<MapProtocol>): Promise<void> {
    for (const p of protocols) await backend.unmap(p, this.opts.internalPort, externalPort).catch(() => undefined);
  }

  private async renew(backend: MappingBackend): Promise<void> {
    try {
      const grant = await this.mapAll(backend, this.mapped?.externalPort ?? this.opts.internalPort);
      if (backend.takeRestarted()) {
        this.log(`port mapping: the router at ${backend.gateway} restarted; mapped again`);
      }
      await this.succeeded(backend, grant);
    } catch (err) {
      this.log(`port mapping: renewal failed (${(err as Error).message}); looking for the router again`);
      this.backend = null;
      await backend.close();
      await this.establish();
    }
  }

  private async succeeded(backend: MappingBackend, grant: MappingGrant): Promise<void> {
    let external = grant.externalAddress;
    if (external === undefined) external = await backend.externalAddress().catch(() => undefined);
    this.retryMs = this.opts.retryMs ?? 60_000;
    const where = external ? `${external}:${grant.externalPort}` : `port ${grant.externalPort}`;
    const message = `Port ${this.opts.internalPort} open via ${METHOD_NAMES[backend.method]} on ${backend.gateway}` + (grant.externalPort !== this.opts.internalPort || external ? ` (external ${where})` : '');
    if (this.current.state !== 'mapped' || this.current.externalPort !== grant.externalPort) this.log(`port mapping: ${message}`);
    this.set({ state: 'mapped', method: backend.method, gateway: backend.gateway, externalPort: grant.externalPort, externalAddress: external ?? null, message });
    // Half the lease, but at least 10 s (a router granting 1 s must not set the pace) and at most an hour (a lease of
    // 2^32-1 s would overflow setTimeout, which then fires at once: a renewal storm).
    this.schedule(grant.lifetimeSeconds > 0 ? Math.min(MAX_RENEW_MS, Math.max(10_000, (grant.lifetimeSeconds * 1000) / 2)) : PERMANENT_RENEW_MS);
  }

  private failed(reason: string, gateway?: string): void {
    this.set({ state: 'failed', method: null, gateway: gateway ?? null, externalPort: null, externalAddress: null, message: `mapping failed: ${reason}` });
    this.schedule(this.retryMs);
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }

  private set(patch: Partial<PortMapperStatus>): void {
    if (this.stopped && patch.state !== 'stopped') return;
    this.current = { ...this.current, ...patch };
    this.opts.onChange?.(this.current);
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}

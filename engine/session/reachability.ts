/**
 * Whether peers on the Internet can reach us: our listen port mapped on the home router (net/portmap's PortMapper)
 * and whether anyone has actually connected in. The port we advertise (tracker `port=`, the extension handshake's
 * `p`) is the router's external port while a mapping stands, else the listen port.
 */
import type { PortMappingStatus } from '../api/types.js';
import type { Clock } from '../common/clock.js';
import { PortMapper, type PortMapperOptions, type PortMapperStatus } from '../net/portmap/port-mapper.js';
import { METHOD_NAMES } from '../net/portmap/types.js';
import type { ExternalEndpoint } from './external-endpoint.js';

/** The host's choices about port mapping (tests point it at a lab router or a fake one). */
export type PortMappingOptions = Omit<PortMapperOptions, 'internalPort' | 'log' | 'onChange'>;

/** No incoming connection for this long while listening: say the port may be closed. */
export const NO_INCOMING_MS = 30 * 60_000;
/** How long start() waits for the first mapping before torrents announce (a slow router must not stall startup). */
const FIRST_MAPPING_WAIT_MS = 4_000;

export class Reachability {
  private mapper: PortMapper | null = null;
  private internalPort = 0;
  private listeningSince: number | null = null;
  private lastIncomingAt: number | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
    /** Told the port we announce and the router's word on our address, as they change (absent: nobody listens). */
    private readonly endpoint?: ExternalEndpoint,
  ) {}

  /** Starts mapping `internalPort` (restarting if it was mapping another); resolves after the first outcome or a short wait. */
  start(internalPort: number, opts: PortMappingOptions): Promise<void> {
    return this.serially(() => this.startNow(internalPort, opts));
  }

  /** Removes our mappings (clean exit, or the setting turned off). */
  stop(): Promise<void> {
    return this.serially(() => this.stopNow());
  }

  /** One start or stop at a time: a quick off-on must not let the old mapper's deletes undo the new one's mappings. */
  private serially(op: () => Promise<void>): Promise<void> {
    const next = this.pending.then(op, op);
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async startNow(internalPort: number, opts: PortMappingOptions): Promise<void> {
    if (this.mapper && this.internalPort === internalPort) return;
    await this.stopNow();
    this.internalPort = internalPort;
    this.listeningSince ??= this.clock.now();
    const mapper = new PortMapper({ ...opts, internalPort, log: this.log, onChange: (s) => this.mapperChanged(s) });
    this.mapper = mapper;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([mapper.start(), new Promise<void>((r) => (timer = setTimeout(r, FIRST_MAPPING_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private async stopNow(): Promise<void> {
    const mapper = this.mapper;
    this.mapper = null;
    await mapper?.stop();
    if (mapper) this.endpoint?.advertisedPortIs(this.internalPort);
  }

  private mapperChanged(s: PortMapperStatus): void {
    // Outcomes only: 'mapping' is the moment between (a renewal that failed and the router found again) and must not
    // make torrents announce the listen port and then the external one again; 'stopped' is stopNow's to report.
    if (s.state !== 'mapped' && s.state !== 'failed') return;
    this.endpoint?.advertisedPortIs(s.state === 'mapped' && s.externalPort !== null ? s.externalPort : s.internalPort);
    if (s.state === 'mapped' && s.method && s.externalAddress) this.endpoint?.routerSays(s.externalAddress, METHOD_NAMES[s.method] as 'UPnP' | 'NAT-PMP' | 'PCP');
  }

  /** Listening began (mapping or not): the "no incoming connection" clock starts here. */
  listening(port: number): void {
    this.internalPort = port;
    this.listeningSince ??= this.clock.now();
    if (!this.mapper) this.endpoint?.advertisedPortIs(port);
  }

  noteIncoming(): void {
    this.lastIncomingAt = this.clock.now();
  }

  /** The port to tell trackers and peers: the mapped external port, else `listenPort`. */
  advertisedPort(listenPort: number): number {
    const s = this.mapper?.status;
    return s?.state === 'mapped' && s.externalPort !== null ? s.externalPort : listenPort;
  }

  /** Our Internet address as the router reports it, else as peers agree it is (for BEP 42 and the UI), or null. */
  get externalAddress(): string | null {
    return this.mapper?.status.externalAddress ?? this.endpoint?.address ?? null;
  }

  status(): PortMappingStatus {
    const now = this.clock.now();
    const connectable =
      this.lastIncomingAt !== null ? 'yes' : this.listeningSince !== null && now - this.listeningSince >= NO_INCOMING_MS ? 'no' : 'unknown';
    const s = this.mapper?.status;
    const base: PortMappingStatus = s
      ? {
          state: s.state === 'stopped' ? 'off' : s.state,
          method: s.method,
          gateway: s.gateway,
          internalPort: s.internalPort,
          externalPort: s.externalPort,
          externalAddress: s.externalAddress ?? this.endpoint?.address ?? null,
          connectable,
          message: s.message,
        }
      : { state: 'off', method: null, gateway: null, internalPort: this.internalPort, externalPort: null, externalAddress: this.endpoint?.address ?? null, connectable, message: 'port mapping off' };
    // Evidence beats the router's word: a mapping nobody has used in 30 minutes may be behind a second NAT.
    if (connectable === 'no') return { ...base, message: `no incoming connection in ${NO_INCOMING_MS / 60_000} min: your port may be closed (${base.message})` };
    return base;
  }
}

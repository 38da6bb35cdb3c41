/**
 * NAT-PMP (RFC 6886) and PCP (RFC 6887) to the default gateway on UDP 5351: requests retransmitted from 250 ms,
 * doubling (a bounded number of tries), replies matched to their request, garbage counted and ignored, and the
 * router's epoch watched so a reboot (which forgets every mapping) is noticed.
 */
import { randomBytes } from 'node:crypto';
import { UdpSocket } from '../udp.js';
import {
  decodeNatPmpReply,
  decodePcpReply,
  encodeNatPmpExternalAddressRequest,
  encodeNatPmpMapRequest,
  encodePcpMapRequest,
  NATPMP_RESULTS,
  PCP_RESULTS,
  PMP_PORT,
  type MapProtocol,
} from './pmp-codec.js';
import { MappingError, usableExternalAddress, type MappingBackend, type MappingGrant, type MappingMethod } from './types.js';

export interface PmpClientOptions {
  readonly gateway: string;
  /** Our LAN address (PCP puts it in every request; the router checks it against the packet's source). */
  readonly clientAddress: string;
  /** Transmissions per request (default 4: 250 + 500 + 1000 + 2000 ms before giving up). */
  readonly tries?: number;
  readonly firstTimeoutMs?: number;
  /** Gateway port (default 5351; tests point it at a fake router). */
  readonly port?: number;
}

export class PmpClient implements MappingBackend {
  readonly gateway: string;
  private readonly nonces = new Map<MapProtocol, Uint8Array>();
  private lastEpoch: { epoch: number; at: number } | undefined;
  private restarted = false;
  /** Replies that could not be decoded (hostile or broken routers). */
  garbage = 0;

  private constructor(
    readonly method: Extract<MappingMethod, 'pcp' | 'nat-pmp'>,
    private readonly socket: UdpSocket,
    private readonly opts: PmpClientOptions,
  ) {
    this.gateway = opts.gateway;
  }

  static async open(method: 'pcp' | 'nat-pmp', opts: PmpClientOptions): Promise<PmpClient> {
    const socket = await UdpSocket.bind({ port: 0, host: '0.0.0.0', maxDatagram: 1100 });
    socket.unref();
    return new PmpClient(method, socket, opts);
  }

  takeRestarted(): boolean {
    const r = this.restarted;
    this.restarted = false;
    return r;
  }

  async map(protocol: MapProtocol, internalPort: number, externalPort: number, lifetimeSeconds: number): Promise<MappingGrant> {
    return this.method === 'pcp' ? this.pcpMap(protocol, internalPort, externalPort, lifetimeSeconds) : this.natPmpMap(protocol, internalPort, externalPort, lifetimeSeconds);
  }

  async unmap(protocol: MapProtocol, internalPort: number, externalPort: number): Promise<void> {
    // RFC 6886: delete with lifetime 0 and suggested port 0; RFC 6887: lifetime 0, same nonce.
    if (this.method === 'pcp') await this.pcpMap(protocol, internalPort, externalPort, 0);
    else await this.natPmpMap(protocol, internalPort, 0, 0);
  }

  async externalAddress(): Promise<string | undefined> {
    if (this.method === 'pcp') return undefined; // PCP reports it in every MAP reply
    // null: a definite answer without a usable address (0.0.0.0: the router has none yet).
    const address = await this.request<string | null>(encodeNatPmpExternalAddressRequest(), (data) => {
      const r = decodeNatPmpReply(data);
      if (r.kind !== 'external-address' && !(r.kind === 'error' && r.op === 0)) return undefined;
      this.noteEpoch(r.epoch);
      if (r.result !== 0) throw resultError('NAT-PMP', r.result, NATPMP_RESULTS);
      return r.kind === 'external-address' ? (usableExternalAddress(r.address) ?? null) : null;
    });
    return address ?? undefined;
  }

  close(): Promise<void> {
    return this.socket.close();
  }

  private async natPmpMap(protocol: MapProtocol, internalPort: number, externalPort: number, lifetime: number): Promise<MappingGrant> {
    const op = protocol === 'udp' ? 1 : 2;
    return this.request(encodeNatPmpMapRequest(protocol, internalPort, externalPort, lifetime), (data) => {
      const r = decodeNatPmpReply(data);
      const matches = (r.kind === 'map' && r.protocol === protocol && r.internalPort === internalPort) || (r.kind === 'error' && r.op === op);
      if (!matches) return undefined;
      this.noteEpoch(r.epoch);
      if (r.result !== 0 || r.kind !== 'map') throw resultError('NAT-PMP', r.result, NATPMP_RESULTS);
      if (lifetime > 0) checkGrant('NAT-PMP', r.externalPort, r.lifetime);
      return { externalPort: r.externalPort, lifetimeSeconds: r.lifetime };
    });
  }

  private async pcpMap(protocol: MapProtocol, internalPort: number, externalPort: number, lifetime: number): Promise<MappingGrant> {
    let nonce = this.nonces.get(protocol);
    if (!nonce) this.nonces.set(protocol, (nonce = new Uint8Array(randomBytes(12))));
    const req = encodePcpMapRequest({ clientAddress: this.opts.clientAddress, lifetimeSeconds: lifetime, nonce, protocol, internalPort, suggestedExternalPort: externalPort });
    return this.request(req, (data) => {
      const r = decodePcpReply(data);
      if (r.kind === 'error') {
        if (r.version === 0) throw new MappingError('the router speaks NAT-PMP, not PCP', 'unsupported');
        this.noteEpoch(r.epoch);
        throw resultError('PCP', r.result, PCP_RESULTS);
      }
      if (r.protocol !== protocol || r.internalPort !== internalPort || !sameBytes(r.nonce, nonce)) return undefined;
      this.noteEpoch(r.epoch);
      if (r.result !== 0) throw resultError('PCP', r.result, PCP_RESULTS);
      if (lifetime > 0) checkGrant('PCP', r.externalPort, r.lifetime);
      return { externalPort: r.externalPort, lifetimeSeconds: r.lifetime, externalAddress: usableExternalAddress(r.externalAddress) };
    });
  }

  /** RFC 6886 3.6: the epoch should advance at least 7/8 as fast as our clock; if it fell back, the router rebooted. */
  private noteEpoch(epoch: number): void {
    const now = Date.now();
    const prev = this.lastEpoch;
    if (prev) {
      const elapsed = (now - prev.at) / 1000;
      if (epoch + 2 < prev.epoch + (elapsed * 7) / 8) this.restarted = true;
    }
    this.lastEpoch = { epoch, at: now };
  }

  /**
   * Sends `data` until `accept` returns a value or throws (a definite answer) or the tries run out. Replies from
   * anyone but the gateway are ignored; undecodable ones are counted.
   */
  private request<T>(data: Uint8Array, accept: (reply: Uint8Array) => T | undefined): Promise<T> {
    const tries = this.opts.tries ?? 4;
    const port = this.opts.port ?? PMP_PORT;
    const name = this.method === 'pcp' ? 'PCP' : 'NAT-PMP';
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let sent = 0;
      let garbageHere = 0;
      /** Well-formed replies that answer no request of ours (wrong opcode, port or nonce). */
      let unmatched = 0;
      let lastGarbage = '';
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        off();
        fn();
      };
      const off = this.socket.onMessage((msg, from) => {
        if (from.host !== this.gateway || from.port !== port) return;
        let value: T | undefined;
        try {
          value = accept(msg);
        } catch (err) {
          if (err instanceof MappingError) return finish(() => reject(err));
          this.garbage++;
          garbageHere++;
          lastGarbage = (err as Error).message;
          return;
        }
        if (value !== undefined) finish(() => resolve(value));
        else unmatched++;
      });
      const send = (): void => {
        if (sent === tries) {
          return finish(() =>
            reject(
              garbageHere > 0
                ? new MappingError(`${name}: the router sent garbage (${garbageHere} malformed replies; last: ${lastGarbage})`, 'protocol')
                : unmatched > 0
                  ? new MappingError(`${name}: the router's ${unmatched} replies did not answer our request (wrong opcode, port or nonce)`, 'protocol')
                  : new MappingError(`${name}: no reply from ${this.gateway}:${port}`, 'unavailable'),
            ),
          );
        }
        this.socket.send(data, this.gateway, port);
        timer = setTimeout(send, (this.opts.firstTimeoutMs ?? 250) * 2 ** sent++);
        timer.unref();
      };
      send();
    });
  }
}

function resultError(name: string, result: number, names: Readonly<Record<number, string>>): MappingError {
  const what = names[result] ?? `result code ${result}`;
  const kind = result === 1 ? 'unsupported' : result === 11 && name === 'PCP' ? 'conflict' : 'refused';
  return new MappingError(`${name}: router refused (${what})`, kind);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A grant we can use: a real external port and a lease long enough to renew (a router that grants 0 s maps nothing). */
function checkGrant(name: string, externalPort: number, lifetime: number): void {
  if (externalPort === 0) throw new MappingError(`${name}: the router granted external port 0`, 'protocol');
  if (lifetime === 0) throw new MappingError(`${name}: the router granted a lease of 0 seconds`, 'protocol');
}

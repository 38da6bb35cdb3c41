// A small UDP socket wrapper: the one place datagrams (the DHT's, the UDP tracker client's) touch a real socket
// (only net/ opens sockets). It satisfies the datagram transport the DHT's RPC layer takes (send + onMessage), so
// dht/ and tracker/ never import node:dgram.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { BindError } from './bind-error.js';

/** IP version of a socket: 4 or 6 (as node:net's isIP reports it). */
export type IpFamily = 4 | 6;

export interface DatagramSource {
  readonly host: string;
  readonly port: number;
}

export type DatagramHandler = (data: Buffer, from: DatagramSource) => void;
/** A handler taking the sender's address as two arguments: no object per datagram (uTP's hot path). */
export type DatagramAddressHandler = (data: Buffer, host: string, port: number) => void;
/** Decides from its bytes whether a datagram is for a handler. */
export type DatagramFilter = (data: Uint8Array) => boolean;

export interface UdpSocketOptions {
  /** Local port; 0 lets the kernel choose (read it back from `port`). */
  readonly port: number;
  /** Default 4 (the DHT here is BEP 5 over IPv4); the UDP tracker client opens one socket per family. */
  readonly family?: IpFamily;
  /** Bind address, of `family`. Default '0.0.0.0' (IPv4) or '::' (IPv6); tests pass '127.0.0.1'. */
  readonly host?: string;
  /** Datagrams longer than this are dropped unread by the handlers. Default 8 KiB (KRPC messages are < 1.5 KiB). */
  readonly maxDatagram?: number;
  /** The kernel's receive buffer (SO_RCVBUF) in bytes; default the system's. uTP at full speed needs a bigger one. */
  readonly receiveBufferBytes?: number;
  /** An IPv6 socket takes no IPv4 (IPV6_V6ONLY) unless this is false: IPv4 gets its own socket with the same port. */
  readonly ipv6Only?: boolean;
}

/** One handler: exactly one of `fn` and `byAddress` is set. */
interface Subscription {
  readonly fn: DatagramHandler | null;
  readonly byAddress: DatagramAddressHandler | null;
  readonly accepts: DatagramFilter | null;
}

/**
 * dgram resolves the address of every send (and bind) through `lookup`: dns.lookup by default, which answers even an
 * IP literal through process.nextTick, a deferral and closures per datagram. UdpSocket only ever passes IP literals
 * of its family (send() and bind() check), so the answer is immediate.
 */
function ipLiteralLookup(host: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = isIP(host);
  if (family === 0) callback(Object.assign(new Error(`not an IP address: ${host}`), { code: 'EINVAL' }), '', 0);
  else callback(null, host, family);
}

/** One bound UDP socket (IPv4 or IPv6). Send errors (unreachable hosts, full buffers) are counted, never thrown. */
export class UdpSocket {
  private readonly handlers = new Map<DatagramHandler | DatagramAddressHandler, Subscription>();
  /** The handlers as an array, rebuilt on (un)subscribe: each datagram walks it without an iterator or entry arrays. */
  private dispatch: Subscription[] = [];
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Datagrams that failed to send (e.g. EHOSTUNREACH) or were dropped as too long on receipt. */
  sendErrors = 0;
  dropped = 0;

  private constructor(
    private readonly socket: Socket,
    readonly family: IpFamily,
    readonly port: number,
    readonly host: string,
    private readonly maxDatagram: number,
  ) {
    socket.on('message', (msg, rinfo) => {
      if (msg.length > this.maxDatagram) {
        this.dropped++;
        return;
      }
      // The source object is built only for a handler that takes one (not for uTP's data packets).
      let from: DatagramSource | null = null;
      const dispatch = this.dispatch;
      for (let i = 0; i < dispatch.length; i++) {
        const h = dispatch[i]!;
        if (h.accepts !== null && !h.accepts(msg)) continue;
        if (h.byAddress !== null) h.byAddress(msg, rinfo.address, rinfo.port);
        else h.fn!(msg, (from ??= { host: rinfo.address, port: rinfo.port }));
      }
    });
    // After bind, errors are per-datagram (ICMP unreachable and the like): never fatal for the socket's owner.
    socket.on('error', () => {
      this.sendErrors++;
    });
  }

  /** Binds a socket; rejects with a readable message when the port is taken. */
  static bind(opts: UdpSocketOptions): Promise<UdpSocket> {
    const family = opts.family ?? 4;
    const host = opts.host ?? (family === 4 ? '0.0.0.0' : '::');
    if (isIP(host) !== family) return Promise.reject(new Error(`UDP bind address must be IPv${family}, got ${host}`));
    return new Promise((resolve, reject) => {
      // An IPv6 socket takes IPv6 only (unless told otherwise), so it can share a port number with the IPv4 socket beside it.
      const socket = createSocket({
        type: family === 4 ? 'udp4' : 'udp6',
        reuseAddr: false,
        ipv6Only: family === 6 && opts.ipv6Only !== false,
        lookup: ipLiteralLookup,
      });
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.close();
        reject(new BindError(err.code === 'EADDRINUSE' ? `UDP port ${opts.port} is already in use` : `UDP bind ${host}:${opts.port}: ${err.message}`, err.code));
      };
      socket.once('error', onError);
      socket.bind(opts.port, host, () => {
        socket.off('error', onError);
        if (opts.receiveBufferBytes !== undefined) {
          try {
            socket.setRecvBufferSize(opts.receiveBufferBytes);
          } catch {
            // Capped by net.core.rmem_max: the default buffer still works, only loses more under bursts.
          }
        }
        const port = socket.address().port;
        resolve(new UdpSocket(socket, family, port, host, opts.maxDatagram ?? 8192));
      });
    });
  }

  /**
   * Sends one datagram to an address of the socket's family. Silently ignored once closed; failures count in
   * `sendErrors` and, for a caller that reports them (the UDP tracker client), go to `onError`.
   */
  send(data: Uint8Array, host: string, port: number, onError?: (err: Error) => void): void {
    if (this.closed) return;
    if (!(Number.isInteger(port) && port > 0 && port < 65536) || isIP(host) !== this.family) {
      this.sendErrors++;
      onError?.(new Error(`cannot send to ${host}:${port} from an IPv${this.family} socket`));
      return;
    }
    // One shared callback unless the caller reports errors: no closure per datagram on uTP's hot path.
    this.socket.send(
      data,
      port,
      host,
      onError === undefined
        ? this.countSendError
        : (err) => {
            if (!err) return;
            this.sendErrors++;
            onError(err);
          },
    );
  }

  private rebuildDispatch(): void {
    this.dispatch = [...this.handlers.values()];
  }

  private readonly countSendError = (err: Error | null): void => {
    if (err) this.sendErrors++;
  };

  /**
   * Calls `fn` for each incoming datagram, or only those `accepts` takes: one port carries both the DHT (bencoded,
   * first byte 'd') and uTP (see utp/packet.ts looksLikeUtp), each handler taking its own. Returns an unsubscribe function.
   */
  onMessage(fn: DatagramHandler, accepts?: DatagramFilter): () => void {
    return this.subscribe(fn, { fn, byAddress: null, accepts: accepts ?? null });
  }

  /** onMessage for a hot path: the handler gets the sender's host and port as arguments, no object per datagram. */
  onDatagram(fn: DatagramAddressHandler, accepts?: DatagramFilter): () => void {
    return this.subscribe(fn, { fn: null, byAddress: fn, accepts: accepts ?? null });
  }

  private subscribe(key: DatagramHandler | DatagramAddressHandler, sub: Subscription): () => void {
    this.handlers.set(key, sub);
    this.rebuildDispatch();
    return () => {
      this.handlers.delete(key);
      this.rebuildDispatch();
    };
  }

  /** Does not keep the process alive by itself. */
  unref(): void {
    this.socket.unref();
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.handlers.clear();
    this.rebuildDispatch();
    this.closing = new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
    return this.closing;
  }
}

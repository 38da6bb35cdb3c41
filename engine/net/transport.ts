/**
 * How a connection's bytes travel: without MSE, after an MSE handshake that selected plaintext (only the
 * handshake is obfuscated), or RC4-encrypted both ways.
 */
export type StreamEncryption = 'plaintext' | 'mse-plaintext' | 'rc4';

/** Which protocol carries a connection's bytes: TCP, or uTP (BEP 29) over the session's UDP port. */
export type TransportKind = 'tcp' | 'utp';

/** What a peer connection needs from a byte stream: TCP and MSE streams here implement it, tests use fakes. */
export interface Transport {
  /** Queues bytes; returns false when the caller should wait for `onDrain`. */
  write(data: Uint8Array): boolean;
  /**
   * write() for a buffer the caller hands over and never touches again (a block read for this peer):
   * the stream may change it, e.g. encrypt it in place. Absent: write() is used.
   */
  writeOwned?(data: Uint8Array): boolean;
  /**
   * Writes a piece message given as its header and its payload, both left unchanged (the payload may be a view of a
   * buffer others read), as one write to the kernel; `onSent` (if given) is called once the payload is no longer
   * needed: handed to the kernel, copied, or dropped with a closed socket. Absent: the caller joins them and uses
   * writeOwned or write.
   */
  writeBlock?(header: Uint8Array, payload: Uint8Array, onSent?: () => void): boolean;
  /** Closes the stream; no more data is delivered after this. */
  destroy(): void;
  /** Stops delivering bytes until resumeReading (download rate limits); fakes may leave it out. */
  pauseReading?(): void;
  resumeReading?(): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Absent: plaintext. */
  readonly encryption?: StreamEncryption;
  /** Absent: TCP. */
  readonly kind?: TransportKind;
}

/** Where a stream delivers what it reads. `chunk` may be a reused buffer: copy what you keep. */
export interface StreamSink {
  receive(chunk: Uint8Array): void;
  transportClosed(reason: string): void;
  drained(): void;
}

/** A connection whose bytes can be fed to a peer; net/ provides these. */
export interface PeerStream extends Transport {
  /** Sends what arrives (and what arrived before) to `sink`; attaching again moves the stream to another sink. */
  attach(sink: StreamSink): void;
}

/** A stream whose first bytes someone read to decide where it goes: they put back the bytes that followed. */
export interface IncomingStream extends PeerStream {
  requeue(chunk: Uint8Array): void;
}

/**
 * How one transport (TCP today) opens an outgoing stream to a peer. The stream's bytes are in the clear;
 * MSE, when the policy asks for it, runs on top (dial.ts).
 */
export type Connect = (host: string, port: number, timeoutMs: number) => Promise<PeerStream>;

/** One transport's incoming side, bound to a port. */
export interface Acceptor {
  readonly port: number;
  /** Stops accepting; connections already handed over stay open. */
  close(): Promise<void>;
}

/**
 * How one transport starts accepting peers on host:port (0: any free port), handing each incoming stream to
 * `onStream`; at most `maxConnections` open at once where the transport can cap them.
 */
export type Listen = (port: number, host: string, onStream: (stream: IncomingStream) => void, maxConnections: number) => Promise<Acceptor>;

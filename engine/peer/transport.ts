/** What a peer connection needs from a byte stream; net/ adapts sockets to it, tests use fakes. */
export interface Transport {
  /** Queues bytes; returns false when the caller should wait for `onDrain`. */
  write(data: Uint8Array): boolean;
  /** Closes the stream; no more data is delivered after this. */
  destroy(): void;
  /** Stops delivering bytes until resumeReading (download rate limits); fakes may leave it out. */
  pauseReading?(): void;
  resumeReading?(): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

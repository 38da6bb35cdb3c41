/** A malformed or over-limit peer wire message. The connection that produced it should be dropped. */
export class WireError extends Error {
  override name = 'WireError';
}

/** A failed Message Stream Encryption handshake: bad keys, no shared method, or padding past its limit. */
export class MseError extends WireError {
  override name = 'MseError';
}

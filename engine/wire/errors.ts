/** A malformed or over-limit peer wire message. The connection that produced it should be dropped. */
export class WireError extends Error {
  override name = 'WireError';
}

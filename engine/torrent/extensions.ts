import { encodeExtendedHandshake } from '../wire/index.js';

/** The ids we ask peers to use for the extensions we speak (BEP 10 `m`). */
export const OUR_EXTENSIONS = { ut_metadata: 1, ut_pex: 2 } as const;
export const CLIENT_VERSION = 'Tessera 0.1.0';
/** Requests we queue from one peer before rejecting (advertised as `reqq`). */
export const OUR_REQUEST_QUEUE = 2000;

/**
 * Our BEP 10 handshake. ut_pex is offered only when `pex` is true (never for private
 * torrents, BEP 27; not by the metadata fetch, which does not handle it). `prefersEncryption`
 * (our encryption setting is prefer or require) lets peers tell others through PEX.
 */
export function ourExtendedHandshake(listenPort: number, metadataSize: number | undefined, pex = false, prefersEncryption = false): Uint8Array {
  return encodeExtendedHandshake({
    prefersEncryption,
    m: { ut_metadata: OUR_EXTENSIONS.ut_metadata, ...(pex ? { ut_pex: OUR_EXTENSIONS.ut_pex } : {}) },
    p: listenPort > 0 ? listenPort : undefined,
    v: CLIENT_VERSION,
    reqq: OUR_REQUEST_QUEUE,
    metadataSize,
  });
}

/** A handshake update that withdraws ut_pex (BEP 10: id 0 disables an extension). */
export function withdrawPexHandshake(): Uint8Array {
  return encodeExtendedHandshake({ m: { ut_pex: 0 } });
}

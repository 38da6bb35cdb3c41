import { encodeExtendedHandshake } from '../wire/index.js';

/** The ids we ask peers to use for the extensions we speak (BEP 10 `m`). */
export const OUR_EXTENSIONS = { ut_metadata: 1 } as const;
export const CLIENT_VERSION = 'Tessera 0.1.0';
/** Requests we queue from one peer before rejecting (advertised as `reqq`). */
export const OUR_REQUEST_QUEUE = 2000;

export function ourExtendedHandshake(listenPort: number, metadataSize: number | undefined): Uint8Array {
  return encodeExtendedHandshake({
    m: OUR_EXTENSIONS,
    p: listenPort > 0 ? listenPort : undefined,
    v: CLIENT_VERSION,
    reqq: OUR_REQUEST_QUEUE,
    metadataSize,
  });
}

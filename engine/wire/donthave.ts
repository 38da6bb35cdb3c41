/** BEP 54 lt_donthave: the payload of the extension message that says a peer no longer has a piece. Pure. */
import { WireError } from './errors.js';

/** The payload: the piece index, 4 bytes big-endian. */
export function encodeDontHave(piece: number): Uint8Array {
  if (!Number.isInteger(piece) || piece < 0 || piece > 0xffffffff) throw new WireError(`wire: lt_donthave piece ${piece} out of range`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, piece);
  return out;
}

/** The piece index; a payload that is not exactly 4 bytes throws WireError. */
export function decodeDontHave(payload: Uint8Array): number {
  if (payload.length !== 4) throw new WireError(`wire: lt_donthave payload of ${payload.length} bytes (need 4)`);
  return new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
}

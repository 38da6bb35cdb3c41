import { Bitfield } from '../common/bitfield.js';
import type { Storage } from '../storage/types.js';

/** What to trust without hashing, and which pieces to hash (fast resume). */
export interface ResumePlan {
  readonly trusted: Bitfield;
  readonly recheck: readonly number[];
}

/**
 * Starts from the trusted pieces and hashes only the listed ones. A piece whose
 * data cannot be read (file missing or short) is simply missing.
 */
export async function checkPieces(
  storage: Storage,
  plan: ResumePlan,
  onProgress?: (checked: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Bitfield> {
  const have = plan.trusted.copy();
  const g = storage.geometry;
  const buf = Buffer.allocUnsafe(g.pieceLength);
  let checked = 0;
  for (const piece of plan.recheck) {
    if (signal?.aborted) break;
    const size = g.pieceSize(piece);
    let ok = false;
    try {
      await storage.readBlock(piece, 0, size, buf, 0);
      ok = storage.hashMatches(piece, buf.subarray(0, size));
    } catch {
      ok = false;
    }
    if (ok) have.set(piece);
    else have.clear(piece);
    checked++;
    if (onProgress && (checked % 64 === 0 || checked === plan.recheck.length)) onProgress(checked, plan.recheck.length);
  }
  return have;
}

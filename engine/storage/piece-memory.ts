import { totalmem } from 'node:os';
import { allocAligned } from './piece-buffers.js';

/** The default budget for partial pieces: 256 MiB, or a sixteenth of the machine's memory if that is less. */
export function defaultPartialPieceMemory(): number {
  return Math.min(256 * 2 ** 20, Math.floor(totalmem() / 16));
}

/**
 * What a session's partial-piece budget keeps back from piece buffers for the rest of a download's working set: heap
 * growth, connections, hash state, read-back scratch. The setting promises that the whole process stays within the
 * budget plus 64 MiB, and the Node runtime with the engine's code already takes about 62 MiB idle; a download from 30
 * peers (16 MiB pieces) then used 86 MiB beyond its piece buffers. With the whole budget in piece buffers it peaked
 * at 346 MiB against 320; with this reserve the buffers get budget - 64 MiB and the process stays well within.
 */
export const WORKING_SET_RESERVE = 64 * 2 ** 20;

/** Bytes of piece buffers a session budget allows (null: sized to the machine); 0 writes every piece through. */
export function pieceBufferLimit(sessionBudget: number | null): number {
  return Math.max(0, (sessionBudget ?? defaultPartialPieceMemory()) - WORKING_SET_RESERVE);
}

/**
 * The memory every torrent of a session may hold in piece buffers (pieces being received, and verified pieces
 * waiting for their write), with the buffers themselves: page-aligned, reused, and never more bytes allocated at
 * once than the budget. When it is spent, `take` returns null and the storage writes that piece's blocks straight
 * to disk instead (verified from disk once complete), so memory stays bounded whatever the piece size.
 *
 * Spare buffers are kept for reuse (a fresh one costs page faults, a dropped one GC work) until the last buffer in
 * use comes back, or until a buffer of another size needs their room.
 */
export class PieceMemory {
  private limit: number;
  /** Bytes of buffers alive: in use plus spare. */
  private allocated = 0;
  private inUse = 0;
  private readonly spare = new Map<number, Buffer[]>();

  /** `limitBytes` caps the buffers themselves; a session passes pieceBufferLimit(its budget). */
  constructor(limitBytes: number | null = null) {
    this.limit = limitBytes ?? defaultPartialPieceMemory();
  }

  /** The piece memory of a session whose partial-piece budget is `budget` (null: sized to the machine). */
  static forSessionBudget(budget: number | null): PieceMemory {
    return new PieceMemory(pieceBufferLimit(budget));
  }

  get limitBytes(): number {
    return this.limit;
  }

  /** Bytes of piece buffers allocated now (in use and spare). */
  get allocatedBytes(): number {
    return this.allocated;
  }

  /** null: sized to the machine. A lower limit applies to the next buffers taken; those in use stay. */
  setLimit(limitBytes: number | null): void {
    this.limit = limitBytes ?? defaultPartialPieceMemory();
    if (this.allocated > this.limit) this.dropSpares(-1);
  }

  /** A buffer of `size` bytes, or null when the budget has no room for it. */
  take(size: number): Buffer | null {
    const list = this.spare.get(size);
    const reused = list?.pop();
    if (reused) {
      this.inUse++;
      return reused;
    }
    if (this.allocated + size > this.limit) this.dropSpares(size);
    if (this.allocated + size > this.limit) return null;
    this.allocated += size;
    this.inUse++;
    return allocAligned(size);
  }

  give(buf: Buffer): void {
    this.inUse--;
    let list = this.spare.get(buf.length);
    if (!list) this.spare.set(buf.length, (list = []));
    list.push(buf);
    if (this.inUse === 0) this.dropSpares(-1);
  }

  /**
   * Takes a buffer in use out of the budget without reusing it (its storage closed; a write may still read it).
   */
  forget(buf: Buffer): void {
    this.inUse--;
    this.allocated -= buf.length;
    if (this.inUse === 0) this.dropSpares(-1);
  }

  /** Drops spare buffers of every size but `keepSize` (-1: all of them). */
  private dropSpares(keepSize: number): void {
    for (const [size, list] of this.spare) {
      if (size === keepSize) continue;
      this.allocated -= size * list.length;
      this.spare.delete(size);
    }
  }
}

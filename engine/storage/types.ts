import type { Bitfield } from '../common/bitfield.js';
import type { PieceGeometry } from '../common/geometry.js';
import type { PieceVerifier } from './piece-verifier.js';

export interface StorageFileSpec {
  /** Sanitised path components relative to the download folder. */
  readonly path: readonly string[];
  readonly length: number;
  readonly offset: number;
  readonly padding: boolean;
}

/** What a backend needs to know of a torrent: its size, pieces, hashes and files. */
export interface StorageSpec {
  readonly totalLength: number;
  readonly pieceLength: number;
  /** 20-byte SHA-1 per piece, concatenated. */
  readonly pieces: Uint8Array;
  readonly files: readonly StorageFileSpec[];
  /** v2 and hybrid torrents: checks pieces by merkle tree (piece-verifier.ts) instead of `pieces` alone. */
  readonly verifier?: PieceVerifier;
}

export class StorageError extends Error {
  override name = 'StorageError';
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

/**
 * Where a torrent's data lives. The torrent writes blocks as they arrive, asks for a piece to be verified once its
 * last block is in, and reads blocks back to upload them; the session renames, moves and deletes. Only verified
 * pieces need to be kept: a backend may hold a piece's blocks anywhere until finishPiece. The file backend is
 * FileStorage; tests can use MemoryStorage.
 */
export interface Storage {
  readonly geometry: PieceGeometry;
  /** Creates what no piece write creates (the file backend: zero-length files); `wanted(index)` false skips a file. */
  createEmptyFiles(wanted?: (index: number) => boolean): void;
  /** Copies a received block into its piece. The caller's bytes may be reused afterwards. */
  writeBlock(piece: number, begin: number, data: Uint8Array): void;
  /**
   * Hashes a complete piece; if it matches, stores it. Resolves true when verified and stored, false on a hash
   * mismatch (the piece's blocks are dropped). Rejects with a StorageError when it cannot be stored.
   */
  finishPiece(piece: number): Promise<boolean>;
  /** Drops a piece's blocks (hash failure, or the piece was abandoned). */
  discardPiece(piece: number): void;
  /** Reads `length` bytes of a stored `piece` from `begin` into `target` at `targetOffset`. */
  readBlock(piece: number, begin: number, length: number, target: Buffer, targetOffset: number): Promise<void>;
  /** `data` is `piece` as the metainfo's hash says. */
  hashMatches(piece: number, data: Uint8Array): boolean;
  /** Hashes whatever data is stored and returns the verified pieces. */
  verify(onProgress?: (checked: number, total: number) => void, signal?: AbortSignal): Promise<Bitfield>;
  /** Resolves once every piece finishPiece accepted so far is stored (or failed) and no block read is in flight. */
  flush(): Promise<void>;
  /**
   * Makes the stored bytes of these (stored) pieces durable, so a resume record may claim them after a power cut.
   * Absent: the backend holds nothing a power cut can lose (memory).
   */
  syncPieces?(pieces: readonly number[]): Promise<void>;
  /** Moves the data to another download folder; `onCommit` runs once it is in place, before the old copy goes. */
  move(
    newRoot: string,
    onProgress?: (movedBytes: number, totalBytes: number) => void,
    options?: { readonly overwrite?: boolean; readonly onCommit?: () => void | Promise<void> },
  ): Promise<void>;
  /** Renames one file to `components` (sanitised, relative to the download folder). */
  renameFile(index: number, components: readonly string[]): Promise<void>;
  /** Deletes the torrent's data; later writes are refused. */
  deleteFiles(): Promise<void>;
  /** Releases open files and buffers. */
  close(): void;
}

/** Piece and block geometry of a torrent: sizes of pieces, blocks within pieces. */
export const BLOCK_SIZE = 16 * 1024;

export class PieceGeometry {
  readonly pieceCount: number;
  readonly lastPieceLength: number;

  constructor(readonly totalLength: number, readonly pieceLength: number) {
    if (pieceLength <= 0) throw new RangeError('piece length must be positive');
    this.pieceCount = totalLength === 0 ? 0 : Math.ceil(totalLength / pieceLength);
    this.lastPieceLength = totalLength - (this.pieceCount - 1) * pieceLength;
  }

  pieceSize(piece: number): number {
    return piece === this.pieceCount - 1 ? this.lastPieceLength : this.pieceLength;
  }

  blocksInPiece(piece: number): number {
    return Math.ceil(this.pieceSize(piece) / BLOCK_SIZE);
  }

  /** Length of block `block` (index within the piece). */
  blockSize(piece: number, block: number): number {
    const size = this.pieceSize(piece);
    const start = block * BLOCK_SIZE;
    return Math.min(BLOCK_SIZE, size - start);
  }

  pieceOffset(piece: number): number {
    return piece * this.pieceLength;
  }
}

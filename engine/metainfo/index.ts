// Pure parsing only. Torrent creation (file I/O) lives in ./create.js and is imported from there.
export { MetainfoError, MagnetError } from './errors.js';
export {
  parseTorrent,
  parseInfoDict,
  type Metainfo,
  type InfoMetainfo,
  type MetaFile,
  type MetaVersion,
  MAX_PIECE_LENGTH,
  MAX_PIECES,
  MAX_TOTAL_LENGTH,
  MAX_PATH_DEPTH,
  MAX_DUPLICATE_PROBES,
} from './parse.js';
export { sanitizeElement, sanitizePath, resolveDuplicates } from './sanitize.js';
export { parseMagnet, toMagnetUri, type MagnetLink } from './magnet.js';
export { MAX_V2_FILE_LENGTH } from './v2.js';
export {
  BLOCK_SIZE,
  HASH_SIZE,
  MAX_HASH_REQUEST_LENGTH,
  blockCount,
  fileRoot,
  leafHashes,
  padHash,
  pieceLayer,
  pieceLayerCount,
  rootFromPieceLayer,
  verifyPiece,
  verifyPieceLeaves,
} from './merkle.js';
export { MerkleTree, answerMatchesRoot, provenAncestor, rangeProblem, uncleCount, type HashRange } from './merkle-proof.js';

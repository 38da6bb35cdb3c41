// Pure parsing only. Torrent creation (file I/O) lives in ./create.js and is imported from there.
export { MetainfoError, MagnetError } from './errors.js';
export {
  parseTorrent,
  parseInfoDict,
  type Metainfo,
  type InfoMetainfo,
  type MetaFile,
  MAX_PIECE_LENGTH,
  MAX_PIECES,
  MAX_TOTAL_LENGTH,
  MAX_PATH_DEPTH,
  MAX_DUPLICATE_PROBES,
} from './parse.js';
export { sanitizeElement, sanitizePath, resolveDuplicates } from './sanitize.js';
export { parseMagnet, toMagnetUri, type MagnetLink } from './magnet.js';

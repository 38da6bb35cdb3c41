export {
  BencodeError,
  type BValue,
  type BDict,
  isDict,
  isList,
  isBytes,
  isInt,
  bytesToKey,
  keyToBytes,
} from './types.js';
export {
  decode,
  decodeWithInfoSpan,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_ITEMS,
  type DecodeOptions,
  type DecodedTorrentFile,
} from './decode.js';
export { encode, type Encodable } from './encode.js';
export { getInt, getBytes, getString, getList, getDict, bytesToText, bytesToTextStrict } from './access.js';

export { WireError, MseError } from './errors.js';
export {
  MessageId,
  type Message,
  type MessageType,
  decodeMessage,
  encodeMessage,
  writeRequest,
  writeCancel,
  writeReject,
  writeHave,
  encodePieceHeader,
  writePieceHeader,
  REQUEST_MESSAGE_LENGTH,
  HAVE_MESSAGE_LENGTH,
  PIECE_HEADER_LENGTH,
} from './messages.js';
export { Framer, DEFAULT_MAX_MESSAGE_LENGTH } from './framer.js';
export {
  HANDSHAKE_LENGTH,
  HANDSHAKE_HEAD_LENGTH,
  HANDSHAKE_PREFIX,
  PROTOCOL,
  type Handshake,
  type HandshakeInput,
  type HandshakeExtensions,
  encodeHandshake,
  decodeHandshake,
  decodeHandshakeHead,
} from './handshake.js';
export {
  type IpFamily,
  type CompactPeer,
  compactPeerLength,
  formatIp,
  parseIp,
  encodeCompactPeer,
  encodeCompactPeers,
  decodeCompactPeers,
} from './compact.js';
export {
  EXTENDED_HANDSHAKE_ID,
  type ExtendedHandshake,
  type ExtendedHandshakeInput,
  encodeExtendedHandshake,
  decodeExtendedHandshake,
  METADATA_PIECE_SIZE,
  MAX_METADATA_SIZE,
  type MetadataMessage,
  type MetadataMessageInput,
  metadataPieceCount,
  metadataPieceLength,
  encodeMetadataMessage,
  decodeMetadataMessage,
  PexFlags,
  type PexPeer,
  type PexMessage,
  MAX_PEX_PEERS,
  decodePex,
  encodePex,
} from './extension.js';
export { allowedFastSet } from './allowed-fast.js';
export { encodeDontHave, decodeDontHave } from './donthave.js';
export { clientFromPeerId, makePeerId, TESSERA_PEER_ID_PREFIX } from './peer-id.js';
export { Rc4 } from './rc4.js';
export { req2Hash } from './mse-crypto.js';
export {
  CRYPTO_PLAINTEXT,
  CRYPTO_RC4,
  MseInitiator,
  MseResponder,
  type CryptoMethod,
  type InitiatorOptions,
  type MseResult,
  type MseStep,
  type ResponderOptions,
} from './mse.js';
export {
  HashMessageId,
  type HashMessage,
  type HashRequestFields,
  isHashMessageId,
  decodeHashMessage,
  encodeHashMessage,
} from './hash-messages.js';
export { truncatedInfoHash, advertisesV2, encodeHandshakeFor, matchHandshakeHash, type TorrentIds } from './handshake-v2.js';
export {
  HolepunchError,
  HolepunchMessageType,
  type HolepunchErrorCode,
  type HolepunchMessage,
  decodeHolepunch,
  encodeHolepunch,
  holepunchErrorName,
} from './holepunch.js';

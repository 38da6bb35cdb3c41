export {
  runChoker,
  initialChokerState,
  DEFAULT_SLOTS,
  OPTIMISTIC_INTERVAL_MS,
  NEW_PEER_MS,
  NEW_PEER_WEIGHT,
  type ChokerPeer,
  type ChokerState,
  type ChokerOptions,
  type ChokerResult,
} from './choker.js';

export {
  PiecePicker,
  DEFAULT_PRIORITY,
  type BlockRequest,
  type BlockReceivedResult,
  type PeerView,
  type PiecePickerOptions,
  type PiecePriority,
} from './picker.js';

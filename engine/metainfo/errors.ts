import { InputError } from '../common/errors.js';

/**
 * Names from a hostile file can hold newlines and other control characters: they are shown escaped
 * (\n, \u0000), so an error stays one line in a terminal, a log and the UI.
 */
function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** A .torrent / info dict that cannot be used. Messages are one line, prefixed "torrent: ". */
export class MetainfoError extends InputError {
  override name = 'MetainfoError';
  constructor(message: string, options?: ErrorOptions) {
    super(oneLine(message), options);
  }
}

/** A magnet link that cannot be used. Messages are one line, prefixed "magnet: ". */
export class MagnetError extends InputError {
  override name = 'MagnetError';
  constructor(message: string, options?: ErrorOptions) {
    super(oneLine(message), options);
  }
}

import { InputError } from '../common/errors.js';

/** A .torrent / info dict that cannot be used. Messages are one line, prefixed "torrent: ". */
export class MetainfoError extends InputError {
  override name = 'MetainfoError';
}

/** A magnet link that cannot be used. Messages are one line, prefixed "magnet: ". */
export class MagnetError extends InputError {
  override name = 'MagnetError';
}

/** An error caused by bad input (a malformed torrent, magnet, argument): the CLI exits 2 on these. */
export class InputError extends Error {
  override name = 'InputError';
}

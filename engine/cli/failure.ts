/** A failure that is not the user's input: the CLI prints it on one line and exits 1. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

/**
 * What went wrong, for callers that react differently:
 * - `protocol`: the tracker sent something malformed;
 * - `failure`: the tracker refused (failure reason / UDP error action);
 * - `http`: non-200 status or redirect trouble;
 * - `timeout`, `aborted`, `network`: transport trouble;
 * - `unsupported`: a URL this client cannot use.
 */
export type TrackerErrorKind = 'protocol' | 'failure' | 'http' | 'timeout' | 'aborted' | 'network' | 'unsupported';

/** Any tracker problem. The message is always a single line. */
export class TrackerError extends Error {
  override name = 'TrackerError';
  readonly kind: TrackerErrorKind;
  constructor(message: string, kind: TrackerErrorKind = 'protocol', options?: { cause?: unknown }) {
    super(oneLine(message), options);
    this.kind = kind;
  }
}

/** Collapses control characters (newlines included) to spaces and caps the length, so tracker-supplied text can be logged safely. */
export function oneLine(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const s = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

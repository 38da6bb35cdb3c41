/**
 * The Range header of an HTTP stream request (RFC 9110 §14), decided against the file's length. Pure.
 *
 * - no header, another unit than `bytes`, or a header that does not parse: the whole file (200); a server may
 *   ignore a Range it does not understand, and players then just read from the start;
 * - `bytes=a-b`, `bytes=a-`, `bytes=-n` (the last n bytes): one range, the end clamped to the file (206);
 * - several ranges: the first satisfiable one is served alone (a multipart body buys a player nothing);
 * - none satisfiable (starts past the end, `-0`, any range of an empty file): 416 with `bytes *\/length`.
 */

export type RangeDecision =
  | { readonly kind: 'full' }
  /** `start`..`end` inclusive, as in Content-Range. */
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const FULL: RangeDecision = Object.freeze({ kind: 'full' });
const UNSATISFIABLE: RangeDecision = Object.freeze({ kind: 'unsatisfiable' });

/** Longer headers are not ranges a player sends: ignored (whole file). */
const MAX_HEADER = 1024;
/** More ranges than this in one header: ignored (a cheap defence against range-list abuse). */
const MAX_RANGES = 16;
const DIGITS = /^[0-9]{1,16}$/;

function number(text: string): number | null {
  if (!DIGITS.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** What to serve for `header` (the Range header's value, if any) of a file of `length` bytes. */
export function decideRange(header: string | undefined, length: number): RangeDecision {
  if (header === undefined || header.length > MAX_HEADER) return FULL;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL;
  const specs = header.slice(eq + 1).split(',');
  if (specs.length > MAX_RANGES) return FULL;
  let chosen: RangeDecision | null = null;
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec === '') continue; // RFC 9110 list syntax allows empty elements
    const dash = spec.indexOf('-');
    if (dash < 0) return FULL;
    const first = spec.slice(0, dash).trim();
    const last = spec.slice(dash + 1).trim();
    let start: number;
    let end: number;
    if (first === '') {
      const suffix = number(last);
      if (suffix === null) return FULL;
      if (suffix === 0 || length === 0) continue;
      start = Math.max(0, length - suffix);
      end = length - 1;
    } else {
      const a = number(first);
      const b = last === '' ? length - 1 : number(last);
      if (a === null || b === null) return FULL;
      if (last !== '' && b < a) return FULL; // invalid range-spec: the whole header is ignored
      if (a >= length) continue;
      start = a;
      end = Math.min(b, length - 1);
    }
    chosen ??= { kind: 'partial', start, end };
  }
  if (chosen) return chosen;
  return specs.some((s) => s.trim() !== '') ? UNSATISFIABLE : FULL;
}

/** The Content-Range value for a decision on a file of `length` bytes (206 and 416 only). */
export function contentRange(decision: RangeDecision, length: number): string | null {
  if (decision.kind === 'partial') return `bytes ${decision.start}-${decision.end}/${length}`;
  if (decision.kind === 'unsatisfiable') return `bytes */${length}`;
  return null;
}

/**
 * Regular expressions that run in linear time, for rule patterns a user types and titles a feed (anyone)
 * writes. V8's backtracking engine takes seconds on patterns as plain as `a*a*a*b` against 256 "a"s;
 * its non-backtracking engine (the `l` flag, behind --enable-experimental-regexp-engine, switched on
 * here the first time it is needed) cannot: matching costs time proportional to the title's length.
 * That engine has no case-insensitive flag, so ASCII letters are folded into the pattern itself, and it
 * refuses backreferences and lookarounds, which are reported as not supported.
 */
import { setFlagsFromString } from 'node:v8';

let enabled = false;

/** Compiles `pattern` (case-insensitive for ASCII letters) for the linear engine; throws an Error with a one-line reason. */
export function linearRegExp(pattern: string): RegExp {
  if (!enabled) {
    setFlagsFromString('--enable-experimental-regexp-engine');
    enabled = true;
  }
  try {
    return new RegExp(foldAsciiCase(pattern), 'l');
  } catch (err) {
    const message = (err as Error).message;
    if (/linear time/.test(message)) throw new Error('backreferences and lookarounds are not supported (they can make matching take forever)');
    if (/Invalid flags/.test(message)) throw new Error('this runtime has no linear-time regular expressions: use words instead');
    throw new Error(`not a valid regular expression: ${message.replace(/^Invalid regular expression: \/.*\/l: /s, '')}`);
  }
}

const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const swap = (c: string): string => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());

/** `Show[a-c]` -> `[sS][hH][oO][wW][a-cA-C]`: escapes, named groups and \p{…} are left as written. */
export function foldAsciiCase(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const next = p[i + 1] ?? '';
      let end = i + 2;
      const closer = (open: string, close: string): void => {
        if (p[end] !== open) return;
        const at = p.indexOf(close, end);
        end = at < 0 ? p.length : at + 1;
      };
      if (next === 'p' || next === 'P' || next === 'u') closer('{', '}');
      if (next === 'k') closer('<', '>');
      if (next === 'c') end = i + 3;
      out += p.slice(i, end);
      i = end - 1;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (isLetter(c) && p[i + 1] === '-' && isLetter(p[i + 2] ?? '') && swap(c) !== c && (c === c.toLowerCase()) === (p[i + 2] === p[i + 2]!.toLowerCase())) {
        out += `${c}-${p[i + 2]}${swap(c)}-${swap(p[i + 2]!)}`;
        i += 2;
        continue;
      } else if (isLetter(c)) {
        out += c + swap(c);
        continue;
      }
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    if (c === '(' && p.startsWith('(?<', i) && p[i + 3] !== '=' && p[i + 3] !== '!') {
      const at = p.indexOf('>', i);
      const end = at < 0 ? p.length : at + 1;
      out += p.slice(i, end);
      i = end - 1;
      continue;
    }
    out += isLetter(c) ? `[${c}${swap(c)}]` : c;
  }
  return out;
}

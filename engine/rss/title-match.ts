/**
 * A rule's "must contain" / "must not contain" against an item title. Pure.
 *
 * Words (qBittorrent style): `|` separates alternatives, spaces inside one alternative all have to
 * appear; case-insensitive substrings, `*` matches any run of characters. A regular expression when the
 * rule says so: compiled with a length cap for V8's linear-time engine (linear-regexp.ts), so no pattern
 * and title can backtrack catastrophically, and run on the title's first 512 characters only.
 */
import { linearRegExp } from './linear-regexp.js';

export const MAX_PATTERN_CHARS = 256;
const TITLE_CHARS = 512;

export type TitleMatcher = (title: string) => boolean;

/** Compiles a pattern; throws an Error with a one-line reason. Empty: null (no condition). */
export function compileTitlePattern(pattern: string, useRegex: boolean): TitleMatcher | null {
  const p = pattern.trim();
  if (p === '') return null;
  if (p.length > MAX_PATTERN_CHARS) throw new Error(`pattern longer than ${MAX_PATTERN_CHARS} characters`);
  return useRegex ? compileRegex(p) : compileWords(p);
}

function compileRegex(p: string): TitleMatcher {
  const re = linearRegExp(p);
  return (title) => re.test(title.slice(0, TITLE_CHARS));
}

function compileWords(p: string): TitleMatcher {
  const alternatives = p
    .split('|')
    .map((alt) => alt.trim().toLowerCase().split(/\s+/).filter((w) => w !== '').map(wordMatcher))
    .filter((words) => words.length > 0);
  return (title) => {
    const t = title.toLowerCase();
    return alternatives.some((words) => words.every((w) => w(t)));
  };
}

function wordMatcher(word: string): (lowerTitle: string) => boolean {
  if (!word.includes('*')) return (t) => t.includes(word);
  // Wildcards: pieces in order; linear, no regular expression involved.
  const pieces = word.split('*').filter((s) => s !== '');
  return (t) => {
    let at = 0;
    for (const piece of pieces) {
      const i = t.indexOf(piece, at);
      if (i < 0) return false;
      at = i + piece.length;
    }
    return true;
  };
}

/**
 * A rule's "must contain" / "must not contain" against an item title. Pure.
 *
 * Words (qBittorrent style): `|` separates alternatives, spaces inside one alternative all have to
 * appear; case-insensitive substrings, `*` matches any run of characters. A regular expression when the
 * rule says so: compiled with a length cap, refused when it nests quantifiers (the shapes that backtrack
 * catastrophically), and run on the title's first 512 characters only.
 */

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
  // (a+)+, (a*)*, (a|a)+, (\w+\s?)*{…}: a quantified group holding a quantifier.
  if (/\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/.test(p) || /\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)\s*[+*{]/.test(p)) {
    throw new Error('regular expression nests quantifiers (like (a+)+), which can take forever: simplify it');
  }
  let re: RegExp;
  try {
    re = new RegExp(p, 'i');
  } catch (err) {
    throw new Error(`not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
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

/**
 * Path sanitising for names that come from .torrent files and ut_metadata. The goal: whatever the
 * torrent says, every file lands inside the download folder, on Linux, macOS and Windows alike.
 *
 * Per path element (see sanitizeElement):
 *  - '/' and '\\' inside an element are removed (they never create directories);
 *  - an element that is then '.' or '..' is dropped; an element that is then empty becomes '_';
 *  - invalid UTF-8 (truncated, overlong, surrogates, 5/6-byte forms) -> one '_' per bad sequence;
 *  - control characters (C0, DEL, C1) and characters invalid on Windows (<>:"|?*) -> '_';
 *  - invisible format characters (bidi controls, zero-width chars, BOM) are removed;
 *  - trailing spaces and dots are removed (Windows cannot create such names);
 *  - Windows reserved device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, also with an extension)
 *    get a '_' appended to the base name;
 *  - elements longer than 240 UTF-8 bytes are cut after the code point that reaches 240 bytes,
 *    keeping an extension of up to 10 bytes (libtorrent's rule).
 * Whole paths: duplicates (case-insensitively) and files that would sit where another file needs
 * a directory are renamed `base.N.ext` (resolveDuplicates).
 */

const MAX_ELEMENT_BYTES = 240;
const MAX_EXT_BYTES = 10;

const WINDOWS_INVALID = new Set(['<', '>', ':', '"', '|', '?', '*']);

function isDroppedFormatChar(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, LRM, RLM
    (cp >= 0x202a && cp <= 0x202e) || // bidi embeddings/overrides
    (cp >= 0x2060 && cp <= 0x2064) || // word joiner, invisible operators
    (cp >= 0x2066 && cp <= 0x2069) || // bidi isolates
    cp === 0x061c || // arabic letter mark
    cp === 0xfeff // BOM / zero-width no-break space
  );
}

const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

const enc = new TextEncoder();

/**
 * Decodes bytes as UTF-8 while applying the per-character rules. Returns the filtered text.
 * Each invalid sequence (lead byte plus the continuation bytes that follow it) becomes one '_'.
 */
function filterBytes(b: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = b.length;
  const isCont = (x: number | undefined) => x !== undefined && (x & 0xc0) === 0x80;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      if (c === 0x2f || c === 0x5c) continue; // separators vanish
      if (c < 0x20 || c === 0x7f) out += '_';
      else {
        const ch = String.fromCharCode(c);
        out += WINDOWS_INVALID.has(ch) ? '_' : ch;
      }
      continue;
    }
    let need = 0;
    let min = 0x80;
    let max = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) min = 0xa0; // overlong
      if (c === 0xed) max = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) min = 0x90; // overlong
      if (c === 0xf4) max = 0x8f; // > U+10FFFF
    }
    let ok = need > 0 && i + need < n;
    if (ok) {
      const s = b[i + 1];
      ok = s >= min && s <= max;
      for (let k = 2; ok && k <= need; k++) ok = isCont(b[i + k]);
    }
    if (!ok) {
      // swallow the bad lead byte and the continuation bytes after it
      i++;
      while (i < n && isCont(b[i])) i++;
      out += '_';
      continue;
    }
    let cp = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) cp = (cp << 6) | (b[i + k] & 0x3f);
    i += need + 1;
    if (cp >= 0x80 && cp <= 0x9f) out += '_';
    else if (!isDroppedFormatChar(cp)) out += String.fromCodePoint(cp);
  }
  return out;
}

function utf8Length(s: string): number {
  return enc.encode(s).length;
}

function shorten(s: string): string {
  if (utf8Length(s) <= MAX_ELEMENT_BYTES) return s;
  let ext = '';
  const dot = s.lastIndexOf('.');
  if (dot > 0) {
    const e = s.slice(dot);
    if (utf8Length(e) <= MAX_EXT_BYTES) ext = e;
  }
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    if (bytes >= MAX_ELEMENT_BYTES) break;
    out += ch;
    bytes += utf8Length(ch);
  }
  return out + ext;
}

/**
 * Sanitises one path element. Returns null when the element must be dropped ('.' or '..',
 * possibly hidden behind separators) and '_' when nothing usable remains.
 */
export function sanitizeElement(raw: Uint8Array | string): string | null {
  const bytes = typeof raw === 'string' ? enc.encode(raw) : raw;
  let s = filterBytes(bytes);
  if (s === '.' || s === '..') return null;
  s = s.replace(/[ .]+$/u, '');
  if (s === '') return '_';
  const dot = s.indexOf('.');
  const base = dot < 0 ? s : s.slice(0, dot);
  if (RESERVED.test(base)) s = base + '_' + (dot < 0 ? '' : s.slice(dot));
  return shorten(s);
}

/** Sanitises a list of path elements; never returns an empty list (falls back to ['_']). */
export function sanitizePath(elements: readonly (Uint8Array | string)[]): string[] {
  const out: string[] = [];
  for (const e of elements) {
    const s = sanitizeElement(e);
    if (s !== null) out.push(s);
  }
  if (out.length === 0) out.push('_');
  return out;
}

export class TooManyDuplicatesError extends Error {}

/**
 * Renames files so no two paths are equal case-insensitively and no file path equals a directory
 * that another file needs. Renames the later file (directories win over files whatever the
 * order) to `base.N.ext` with the smallest free N. Entries with `skip` (pad files, never written)
 * take no part. Mutates `files[i].path`; returns the indices renamed. Throws
 * TooManyDuplicatesError after `maxProbes` collisions in total (a DoS guard, as libtorrent).
 */
export function resolveDuplicates(files: { path: string[]; skip?: boolean }[], maxProbes = 500): number[] {
  const key = (p: string[]) => p.join('/').toLowerCase();
  const dirs = new Set<string>();
  for (const f of files) {
    if (f.skip) continue;
    for (let i = 1; i < f.path.length; i++) dirs.add(key(f.path.slice(0, i)));
  }
  const taken = new Set<string>();
  const renamed: number[] = [];
  let probes = 0;
  files.forEach((f, idx) => {
    if (f.skip) return;
    const k = key(f.path);
    if (!taken.has(k) && !dirs.has(k)) {
      taken.add(k);
      return;
    }
    const dir = f.path.slice(0, -1);
    const last = f.path[f.path.length - 1];
    const dot = last.lastIndexOf('.');
    const base = dot > 0 ? last.slice(0, dot) : last;
    const ext = dot > 0 ? last.slice(dot) : '';
    for (let n = 1; ; n++) {
      if (++probes > maxProbes) throw new TooManyDuplicatesError('too many duplicate file names');
      const cand = [...dir, `${base}.${n}${ext}`];
      const ck = key(cand);
      if (!taken.has(ck) && !dirs.has(ck)) {
        taken.add(ck);
        f.path = cand;
        renamed.push(idx);
        return;
      }
    }
  });
  return renamed;
}

/**
 * Finding what to add in dropped or pasted text: magnet links (from text/uri-list or free text) and bare
 * info hashes on a line of their own. Junk is ignored; each link appears once. Pure.
 */
import { LIMITS } from '../../engine/api/validate.js';

const MAGNET_IN_TEXT = /magnet:\?[^\s"'<>`]+/gi;
const HEX_HASH = /^[0-9a-f]{40}$/i;
const BASE32_HASH = /^[a-z2-7]{32}$/i;

/** Whether a magnet link names a torrent the engine can look up (a v1 or v2 info hash). */
export function isUsableMagnet(uri: string): boolean {
  if (uri.length > LIMITS.maxMagnetLength || !/^magnet:\?/i.test(uri)) return false;
  return /[?&]xt=urn:(btih|btmh):[0-9a-z]+/i.test(uri);
}

/** Magnet links in a text/uri-list payload (RFC 2483: one URI per line, # starts a comment). */
export function magnetsFromUriList(list: string): string[] {
  const out: string[] = [];
  for (const raw of list.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (isUsableMagnet(line) && !out.includes(line)) out.push(line);
  }
  return out;
}

/** Magnet links anywhere in free text, and lines that are only an info hash (hex or base32). */
export function magnetsFromText(text: string): string[] {
  const out: string[] = [];
  const add = (uri: string): void => {
    if (isUsableMagnet(uri) && !out.includes(uri)) out.push(uri);
  };
  for (const m of text.matchAll(MAGNET_IN_TEXT)) add(trimTrailingPunctuation(m[0]));
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (HEX_HASH.test(line)) add(`magnet:?xt=urn:btih:${line.toLowerCase()}`);
    else if (BASE32_HASH.test(line)) add(`magnet:?xt=urn:btih:${line.toUpperCase()}`);
  }
  return out;
}

/** A link at the end of a sentence ("… see magnet:?xt=…).") should not keep the sentence's punctuation. */
function trimTrailingPunctuation(uri: string): string {
  return uri.replace(/[.,;:!?)\]}]+$/, '');
}

/** What a data transfer (drop or paste) offers, by MIME type, as magnet links. */
export function magnetsFromTransfer(get: (type: string) => string): string[] {
  const fromList = magnetsFromUriList(get('text/uri-list'));
  const fromText = magnetsFromText(get('text/plain'));
  return [...fromList, ...fromText.filter((m) => !fromList.includes(m))];
}

/** The magnet's display name (dn), or its info hash, for showing before the metadata is known. */
export function magnetLabel(uri: string): string {
  const query = uri.slice(uri.indexOf('?') + 1);
  let hash = '';
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).toLowerCase();
    const value = safeDecode(part.slice(eq + 1).replace(/\+/g, ' '));
    if (key === 'dn' && value.trim() !== '') return value.trim();
    if (key === 'xt' && hash === '') hash = value.replace(/^urn:bt(ih|mh):/i, '');
  }
  return hash || 'Magnet link';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Whether a dropped or picked file looks like a .torrent (by name; the engine validates the content). */
export function isTorrentFileName(name: string): boolean {
  return /\.torrent$/i.test(name);
}

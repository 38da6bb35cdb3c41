/**
 * RSS 2.0 and Atom 1.0 parsing over fast-xml-parser. Pure: text in, items or a one-line FeedError out.
 *
 * Hostile input is bounded before the library sees it: a size cap, and any DOCTYPE refused outright, so
 * no entity declaration (billion laughs, external entities) is ever read; only XML's five built-in
 * entities and numeric character references are decoded. Nesting depth is capped by the library.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FeedError, MAX_FEED_BYTES, MAX_FEED_ITEMS, MAX_FIELD_CHARS, type FeedItem, type ParsedFeed } from './feed-types.js';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 64,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link' || name === 'enclosure',
});

const decoder = new TextDecoder('utf-8', { fatal: false });
const MAGNET_IN_TEXT = /magnet:\?[^\s"'<>]{1,4000}/i;

/** Parses a feed's bytes (UTF-8) or text. Throws FeedError. */
export function parseFeed(input: Uint8Array | string): ParsedFeed {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > MAX_FEED_BYTES) throw new FeedError(`feed larger than ${MAX_FEED_BYTES / 1024 / 1024} MB`);
  const text = typeof input === 'string' ? input : decoder.decode(input);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new FeedError('DOCTYPE and entity declarations are not allowed in a feed (refused, nothing expanded)');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new FeedError(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch (err) {
    throw new FeedError(`malformed XML: ${(err as Error).message}`);
  }
  const rss = obj(doc['rss']) ?? obj(doc['RDF']);
  if (rss) {
    const channel = obj(rss['channel']) ?? {};
    // RSS 1.0 (RDF) lists its items beside the channel, RSS 2.0 inside it.
    const items = list(channel['item']).length > 0 ? list(channel['item']) : list(rss['item']);
    return { title: textOf(channel['title']), items: collect(items, rssItem) };
  }
  const feed = obj(doc['feed']);
  if (feed) return { title: textOf(feed['title']), items: collect(list(feed['entry']), atomEntry) };
  throw new FeedError('not an RSS or Atom feed (no <rss> or <feed> element)');
}

function collect(nodes: unknown[], one: (n: Node) => FeedItem | null): FeedItem[] {
  const out: FeedItem[] = [];
  const seen = new Set<string>();
  for (const n of nodes) {
    if (out.length >= MAX_FEED_ITEMS) break;
    const node = obj(n);
    const item = node ? one(node) : null;
    if (!item || seen.has(item.id)) continue;
    seen.add(item.id);
    out.push(item);
  }
  return out;
}

function rssItem(n: Node): FeedItem | null {
  const title = textOf(n['title']);
  const linkText = textOf(list(n['link'])[0]);
  const link = linkText === '' ? null : linkText;
  let torrentUrl: string | null = null;
  let magnet: string | null = null;
  let size: number | null = null;
  for (const e of list(n['enclosure'])) {
    const enc = obj(e);
    if (!enc) continue;
    const url = attr(enc, 'url');
    if (!url) continue;
    if (isMagnet(url)) magnet ??= url;
    else if (attr(enc, 'type') === 'application/x-bittorrent' || endsWithTorrent(url)) {
      torrentUrl ??= url;
      size ??= bytes(attr(enc, 'length'));
    }
  }
  const ez = obj(n['torrent']);
  if (ez) {
    magnet ??= nonEmpty(textOf(ez['magnetURI']));
    size ??= bytes(textOf(ez['contentLength']));
  }
  size ??= bytes(textOf(n['size'])) ?? bytes(textOf(n['contentLength']));
  ({ torrentUrl, magnet } = fromLinkAndText(link, textOf(n['description']), torrentUrl, magnet));
  const id = nonEmpty(textOf(n['guid'])) ?? link ?? nonEmpty(title);
  if (!id) return null;
  return finish({ id, title, link, published: date(textOf(n['pubDate'])) ?? date(textOf(n['date'])), torrentUrl, magnet, size });
}

function atomEntry(n: Node): FeedItem | null {
  const title = textOf(n['title']);
  let link: string | null = null;
  let torrentUrl: string | null = null;
  let magnet: string | null = null;
  let size: number | null = null;
  for (const l of list(n['link'])) {
    const el = obj(l);
    const href = el ? attr(el, 'href') : typeof l === 'string' ? l : null;
    if (!href) continue;
    const rel = el ? (attr(el, 'rel') ?? 'alternate') : 'alternate';
    if (isMagnet(href)) magnet ??= href;
    else if ((el && attr(el, 'type') === 'application/x-bittorrent') || (rel === 'enclosure' && endsWithTorrent(href))) {
      torrentUrl ??= href;
      size ??= el ? bytes(attr(el, 'length')) : null;
    } else if (rel === 'alternate') link ??= href;
  }
  ({ torrentUrl, magnet } = fromLinkAndText(link, textOf(n['summary']) || textOf(n['content']), torrentUrl, magnet));
  const id = nonEmpty(textOf(n['id'])) ?? link ?? nonEmpty(title);
  if (!id) return null;
  return finish({ id, title, link, published: date(textOf(n['published'])) ?? date(textOf(n['updated'])), torrentUrl, magnet, size });
}

/** Without an enclosure, a magnet or .torrent link, or a magnet named in the description, is what to add. */
function fromLinkAndText(link: string | null, text: string, torrentUrl: string | null, magnet: string | null): { torrentUrl: string | null; magnet: string | null } {
  if (link && isMagnet(link)) magnet ??= link;
  else if (link && !torrentUrl && endsWithTorrent(link)) torrentUrl = link;
  if (!magnet) magnet = MAGNET_IN_TEXT.exec(text.slice(0, 100_000))?.[0] ?? null;
  // The last resort of the issue: a plain link may serve the .torrent itself.
  if (!torrentUrl && !magnet && link && /^https?:/i.test(link)) torrentUrl = link;
  return { torrentUrl, magnet };
}

function finish(item: FeedItem): FeedItem {
  const cut = (s: string): string => (s.length > MAX_FIELD_CHARS ? s.slice(0, MAX_FIELD_CHARS) : s);
  const url = (s: string | null): string | null => (s === null || s.length > MAX_FIELD_CHARS ? null : s);
  return { ...item, id: cut(item.id), title: cut(item.title.replace(/\s+/g, ' ').trim()), link: url(item.link), torrentUrl: url(item.torrentUrl), magnet: url(item.magnet) };
}

function obj(v: unknown): Node | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : null;
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** An element's text: a string, or the '#text' of an element with attributes (CDATA is merged into it). */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = obj(v);
  if (o) return textOf(o['#text']);
  if (Array.isArray(v)) return textOf(v[0]);
  return '';
}

function attr(n: Node, name: string): string | null {
  const v = n[`@_${name}`];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function nonEmpty(s: string): string | null {
  return s === '' ? null : s;
}

function isMagnet(url: string): boolean {
  return url.slice(0, 8).toLowerCase() === 'magnet:?';
}

function endsWithTorrent(url: string): boolean {
  return /\.torrent(?:$|[?#])/i.test(url);
}

function bytes(s: string | null): number | null {
  if (!s || !/^\d{1,16}$/.test(s.trim())) return null;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function date(s: string): number | null {
  if (s === '') return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

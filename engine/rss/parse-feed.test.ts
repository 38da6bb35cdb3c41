import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFeed } from './parse-feed.js';
import { FeedError, MAX_FEED_BYTES, MAX_FEED_ITEMS } from './feed-types.js';
import { ATOM_SAMPLE, rss2Sample } from './test-samples.js';

function feedError(input: string | Uint8Array): string {
  try {
    parseFeed(input);
  } catch (err) {
    assert.ok(err instanceof FeedError, String(err));
    assert.ok(!err.message.includes('\n'), err.message);
    return err.message;
  }
  assert.fail('parsed, expected a FeedError');
}

test('RSS 2.0: enclosures, guids, dates, sizes, CDATA titles and entities', () => {
  const f = parseFeed(rss2Sample([
    { title: 'Show.S01E01.720p', url: 'http://127.0.0.1:1/a.torrent', size: 123456 },
    { title: 'Show & Co S01E02', url: 'http://127.0.0.1:1/b.torrent' },
  ]));
  assert.equal(f.title, 'Tracker feed');
  assert.equal(f.items.length, 2);
  const [a, b] = f.items;
  assert.deepEqual(a, { id: 'guid-0', title: 'Show.S01E01.720p', link: 'https://tracker.example/details/0', published: Date.UTC(2026, 5, 1, 12), torrentUrl: 'http://127.0.0.1:1/a.torrent', magnet: null, size: 123456 });
  assert.equal(b!.title, 'Show & Co S01E02');
});

test('RSS 2.0: magnet enclosures, magnet links, ezrss magnetURI, .torrent links and items without guid', () => {
  const xml = `<rss version="2.0" xmlns:torrent="http://xmlns.ezrss.it/0.1/"><channel><title>x</title>
    <item><title>A</title><enclosure url="magnet:?xt=urn:btih:aaaa" type="application/x-bittorrent"/></item>
    <item><title>B</title><link>magnet:?xt=urn:btih:bbbb</link></item>
    <item><title>C</title><link>https://x.example/c.torrent?key=1</link><size>77</size></item>
    <item><title>D</title><torrent><magnetURI><![CDATA[magnet:?xt=urn:btih:dddd&dn=D]]></magnetURI><contentLength>99</contentLength></torrent></item>
    <item><title>E</title><description>no link at all</description></item>
  </channel></rss>`;
  const items = parseFeed(xml).items;
  assert.deepEqual(items.map((i) => [i.id, i.magnet, i.torrentUrl, i.size]), [
    ['A', 'magnet:?xt=urn:btih:aaaa', null, null],
    ['magnet:?xt=urn:btih:bbbb', 'magnet:?xt=urn:btih:bbbb', null, null],
    ['https://x.example/c.torrent?key=1', null, 'https://x.example/c.torrent?key=1', 77],
    ['D', 'magnet:?xt=urn:btih:dddd&dn=D', null, 99],
    ['E', null, null, null],
  ]);
});

test('Atom: ids, alternate and enclosure links, published/updated, a magnet in the content', () => {
  const f = parseFeed(ATOM_SAMPLE);
  assert.equal(f.title, 'Nightly builds');
  assert.deepEqual(f.items[0], { id: 'tag:builds.example,2026:1', title: 'Distro 24.04 <amd64>', link: 'https://builds.example/1', published: Date.UTC(2026, 5, 2, 18, 30, 2), torrentUrl: 'https://builds.example/1.torrent', magnet: null, size: 4096 });
  assert.equal(f.items[1]!.magnet, 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=arm64');
  assert.equal(f.items[1]!.published, Date.UTC(2026, 5, 1, 8));
});

test('bytes in UTF-8 are decoded', () => {
  const f = parseFeed(new TextEncoder().encode(rss2Sample([{ title: 'Café S01E01', url: 'http://h/a.torrent' }])));
  assert.equal(f.items[0]!.title, 'Café S01E01');
});

test('malformed XML gives one line naming the line', () => {
  assert.match(feedError('<rss><channel><item><title>x</item></channel></rss>'), /^feed: malformed XML at line 1: /);
  assert.match(feedError('not xml at all'), /^feed: /);
  assert.match(feedError('<html><body>login page</body></html>'), /not an RSS or Atom feed/);
});

test('entity expansion (billion laughs) and external entities are refused, nothing expanded', () => {
  const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
    <rss><channel><item><title>&lol9;</title></item></channel></rss>`;
  const started = performance.now();
  assert.match(feedError(lol), /DOCTYPE and entity declarations are not allowed/);
  assert.ok(performance.now() - started < 1000);
  assert.match(feedError('<!DOCTYPE rss SYSTEM "file:///etc/passwd"><rss><channel/></rss>'), /not allowed/);
  // An undeclared entity stays text: nothing is looked up.
  assert.equal(parseFeed('<rss><channel><item><title>a &xxe; b</title><guid>1</guid></item></channel></rss>').items[0]!.title, 'a &xxe; b');
});

test('size and item caps', () => {
  assert.match(feedError('x'.repeat(MAX_FEED_BYTES + 1)), /^feed: feed larger than 5 MB$/);
  const many = rss2Sample(Array.from({ length: MAX_FEED_ITEMS + 20 }, (_, i) => ({ title: `t${i}`, url: `http://h/${i}.torrent` })));
  assert.equal(parseFeed(many).items.length, MAX_FEED_ITEMS);
});

test('deep nesting is refused with a one-line error', () => {
  assert.match(feedError(`<rss>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</rss>`), /^feed: /);
});

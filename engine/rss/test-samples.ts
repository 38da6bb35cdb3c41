// Test-only: real-world-shaped feeds (written for these tests) for the parser and the service tests.

/** An RSS 2.0 feed in the shape trackers' feeds have: enclosures, guids, a torrent namespace, CDATA. */
export function rss2Sample(items: { title: string; url: string; guid?: string; size?: number }[], channel = 'Tracker feed'): string {
  const body = items
    .map(
      (it, i) => `    <item>
      <title><![CDATA[${it.title}]]></title>
      <link>https://tracker.example/details/${i}</link>
      <guid isPermaLink="false">${it.guid ?? `guid-${i}`}</guid>
      <pubDate>Mon, 0${(i % 9) + 1} Jun 2026 12:00:00 +0000</pubDate>
      <description>Release &amp; notes for ${it.title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</description>
      <enclosure url="${it.url}" length="${it.size ?? 1000 + i}" type="application/x-bittorrent"/>
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:torrent="http://xmlns.ezrss.it/0.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${channel}</title>
    <link>https://tracker.example/</link>
    <atom:link href="https://tracker.example/rss" rel="self" type="application/rss+xml"/>
    <description>Latest torrents</description>
${body}
  </channel>
</rss>`;
}

export const ATOM_SAMPLE = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Nightly builds</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
  <updated>2026-06-02T18:30:02Z</updated>
  <entry>
    <title type="html">Distro 24.04 &lt;amd64&gt;</title>
    <id>tag:builds.example,2026:1</id>
    <updated>2026-06-02T18:30:02Z</updated>
    <link rel="alternate" href="https://builds.example/1"/>
    <link rel="enclosure" type="application/x-bittorrent" length="4096" href="https://builds.example/1.torrent"/>
    <summary>amd64 image</summary>
  </entry>
  <entry>
    <title>Distro 24.04 arm64</title>
    <id>tag:builds.example,2026:2</id>
    <published>2026-06-01T10:00:00+02:00</published>
    <link href="https://builds.example/2"/>
    <content type="html">Get it: magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&amp;dn=arm64 or the page.</content>
  </entry>
</feed>`;

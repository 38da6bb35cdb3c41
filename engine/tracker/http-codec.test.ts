import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TrackerError } from './errors.js';
import {
  buildAnnounceUrl,
  buildScrapeRequestUrl,
  buildScrapeUrl,
  DEFAULT_INTERVAL_S,
  parseAnnounceResponse,
  parseScrapeResponse,
  percentEncodeBytes,
} from './http-codec.js';
import type { AnnounceParams } from './types.js';
import { fromHex, loadTrackerSamples } from './test-corpus.js';

const samples = loadTrackerSamples();
const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const percentDecode = (s: string): Uint8Array =>
  new Uint8Array(Buffer.from(s.replace(/%([0-9A-Fa-f]{2})|./g, (m, h: string | undefined) => (h ? String.fromCharCode(parseInt(h, 16)) : m)), 'latin1'));
const hostPort = (p: { host: string; port: number }) => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`);

function params(over: Partial<AnnounceParams> = {}): AnnounceParams {
  return {
    infoHash: fromHex('a2a15537542b22925ad10486bf7a8b2a9c42f0d1'),
    peerId: enc('-TS0001-abcdefghijkl'),
    port: 6881,
    uploaded: 1,
    downloaded: 2,
    left: 3,
    ...over,
  };
}

// ---- corpus: HTTP responses ----

for (const s of samples.http_responses) {
  test(`corpus http: ${s.name}`, () => {
    const body = fromHex(s.bencoded_hex);
    const exp = s.expected;
    if (s.request_kind?.startsWith('scrape')) {
      const hash = s.name.includes('NUL') ? enc('aaa\0aaaaaaaaaaaaaaaa') : enc('aaaaaaaaaaaaaaaaaaaa');
      const r = parseScrapeResponse(body, hash);
      assert.deepEqual(
        { complete: r.complete, incomplete: r.incomplete, downloaded: r.downloaded, downloaders: r.downloaders ?? -1 },
        { complete: exp.complete, incomplete: exp.incomplete, downloaded: exp.downloaded, downloaders: exp.downloaders },
      );
      return;
    }
    if (s.name.startsWith('single peer entry')) {
      // libtorrent tests one peer entry at a time; here it goes into a dictionary-model list
      const inner = s.name.includes('not a dictionary') ? body.subarray(0, 4) /* "2:ip", the first item */ : body;
      const wrapped = new Uint8Array([...enc('d5:peersl'), ...inner, ...enc('ee')]);
      if (exp.ok) {
        const r = parseAnnounceResponse(wrapped);
        assert.deepEqual(r.peers, [{ host: exp.host, port: exp.port }]);
      } else {
        assert.throws(() => parseAnnounceResponse(wrapped), TrackerError);
      }
      return;
    }
    if (exp.error === 'tracker_failure') {
      const r = parseAnnounceResponse(body);
      assert.equal(r.failureReason, exp.failure_reason);
      assert.deepEqual(r.peers, []);
      return;
    }
    if (exp.error === 'invalid_peers_entry' && /not a multiple|bad length/.test(s.name)) {
      // On purpose unlike libtorrent (DIFFERENCES.md): the whole entries are kept, the partial one dropped.
      const hex = s.decoded.peers?.hex ?? s.decoded.peers6?.hex ?? '';
      const size = s.decoded.peers ? 6 : 18;
      assert.ok(hex.length > 0);
      assert.equal(parseAnnounceResponse(body).peers.length, Math.floor(hex.length / 2 / size));
      const twoAndABit = new Uint8Array([...enc('d5:peers15:'), 1, 2, 3, 4, 0x1a, 0xe1, 5, 6, 7, 8, 0x1a, 0xe2, 9, 9, 9, ...enc('e')]);
      assert.deepEqual(parseAnnounceResponse(twoAndABit).peers, [
        { host: '1.2.3.4', port: 6881 },
        { host: '5.6.7.8', port: 6882 },
      ]);
      return;
    }
    if (exp.error !== undefined) {
      assert.throws(() => parseAnnounceResponse(body), (e: unknown) => e instanceof TrackerError && !e.message.includes('\n'));
      return;
    }
    const r = parseAnnounceResponse(body);
    if ('peers' in exp && Array.isArray(exp.peers)) {
      const want = (exp.peers as { host?: string; port?: number }[]).map((p) => ({ host: p.host, port: p.port }));
      assert.deepEqual(r.peers, want);
    }
    if ('peers4' in exp) assert.deepEqual(r.peers.map(hostPort), exp.peers4);
    if ('peers6' in exp) assert.deepEqual(r.peers.map(hostPort), exp.peers6);
    if ('interval' in exp) assert.equal(r.interval, exp.interval);
    if ('min_interval' in exp) assert.equal(r.minInterval, exp.min_interval);
    if ('warning_message' in exp) assert.equal(r.warningMessage, exp.warning_message);
    if ('external_ip' in exp) assert.equal(r.externalIp, exp.external_ip);
    assert.equal(r.failureReason, undefined);
  });
}

test('corpus: query-string encoding of the info-hash', () => {
  const q = samples.http_query_encoding;
  assert.equal(`info_hash=${percentEncodeBytes(fromHex(q.info_hash_hex))}`, q.expected_query);
  // and it decodes back to the same 20 bytes
  assert.equal(Buffer.from(percentDecode(q.expected_query.slice('info_hash='.length))).toString('hex'), q.info_hash_hex);
});

// ---- URL building ----

test('buildAnnounceUrl: all parameters, byte-wise escaping', () => {
  const url = buildAnnounceUrl('http://t.example/announce', params({ event: 'started', numwant: 50, key: 0xbeef, trackerId: 'id+1' }));
  assert.equal(
    url,
    'http://t.example/announce?info_hash=%A2%A1U7T%2B%22%92Z%D1%04%86%BFz%8B%2A%9CB%F0%D1&peer_id=-TS0001-abcdefghijkl&port=6881&uploaded=1&downloaded=2&left=3&compact=1&event=started&numwant=50&key=0000BEEF&trackerid=id%2B1',
  );
});

test('buildAnnounceUrl: ipv6= carries our IPv6 address (BEP 7), colons escaped; anything else is refused', () => {
  assert.match(buildAnnounceUrl('http://t/announce', params({ ipv6: '2001:db8::5' })), /&compact=1&ipv6=2001%3Adb8%3A%3A5$/);
  assert.doesNotMatch(buildAnnounceUrl('http://t/announce', params()), /ipv6=/);
  assert.throws(() => buildAnnounceUrl('http://t/announce', params({ ipv6: '1.2.3.4' })), /ipv6 must be an IPv6 address/);
  assert.throws(() => buildAnnounceUrl('http://t/announce', params({ ipv6: '::1&x=1' })), /ipv6 must be an IPv6 address/);
});

test('buildAnnounceUrl keeps an existing query string and drops a fragment', () => {
  assert.match(buildAnnounceUrl('https://t.example/a/announce.php?passkey=XYZ#frag', params()), /^https:\/\/t\.example\/a\/announce\.php\?passkey=XYZ&info_hash=/);
  assert.match(buildAnnounceUrl('http://t/announce?', params()), /^http:\/\/t\/announce\?info_hash=/);
  assert.match(buildAnnounceUrl('http://t/announce?a=1&', params()), /^http:\/\/t\/announce\?a=1&info_hash=/);
  assert.doesNotMatch(buildAnnounceUrl('http://t/announce', params()), /event=/);
});

test('buildAnnounceUrl: rejects bad hashes, clamps negative counters', () => {
  assert.throws(() => buildAnnounceUrl('http://t/announce', params({ infoHash: new Uint8Array(19) })), TrackerError);
  assert.throws(() => buildAnnounceUrl('http://t/announce', params({ port: 70000 })), TrackerError);
  assert.match(buildAnnounceUrl('http://t/announce', params({ left: -5 })), /&left=0&/);
});

test('percent-encoding round-trips every byte value', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (b) => {
      const s = percentEncodeBytes(b);
      assert.match(s, /^[A-Za-z0-9\-._~%]*$/);
      assert.deepEqual(percentDecode(s), b);
    }),
  );
});

test('buildScrapeUrl follows the announce -> scrape convention', () => {
  assert.equal(buildScrapeUrl('http://example.com/announce'), 'http://example.com/scrape');
  assert.equal(buildScrapeUrl('http://example.com/x/announce'), 'http://example.com/x/scrape');
  assert.equal(buildScrapeUrl('http://example.com/announce?x2%0644'), 'http://example.com/scrape?x2%0644');
  assert.equal(buildScrapeUrl('https://example.com/announce.php'), 'https://example.com/scrape.php');
  assert.equal(buildScrapeUrl('http://example.com/a'), undefined);
  assert.equal(buildScrapeUrl('http://example.com/announce?x=2/4'), 'http://example.com/scrape?x=2/4');
  assert.equal(buildScrapeUrl('http://example.com/x%064announce'), undefined);
  assert.equal(buildScrapeUrl('http://example.com/announce/x'), undefined);
  assert.equal(buildScrapeUrl('udp://example.com:80/announce'), undefined);
  assert.equal(buildScrapeUrl('http://example.com'), undefined);
  assert.equal(
    buildScrapeRequestUrl('http://example.com/scrape?k=1', [enc('aaaaaaaaaaaaaaaaaaaa')]),
    'http://example.com/scrape?k=1&info_hash=aaaaaaaaaaaaaaaaaaaa',
  );
});

// ---- own fixtures ----

test('full response: counts, tracker id, peers and peers6 together, unsorted keys', () => {
  const peers = Buffer.from([10, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0, 0 /* port 0: dropped */]);
  const peers6 = Buffer.alloc(18);
  peers6[15] = 1;
  peers6.writeUInt16BE(51413, 16);
  const body = Buffer.concat([
    Buffer.from('d8:intervali900e8:completei5e10:incompletei7e10:tracker id3:x\xffy5:peers12:', 'latin1'),
    peers,
    Buffer.from('6:peers618:'),
    peers6,
    Buffer.from('e\r\n'),
  ]);
  const r = parseAnnounceResponse(body);
  assert.deepEqual(r, {
    interval: 900,
    complete: 5,
    incomplete: 7,
    trackerId: 'x\xffy',
    peers: [
      { host: '10.0.0.1', port: 6881 },
      { host: '::1', port: 51413 },
    ],
  });
});

test('missing interval falls back to the default; no peers is fine', () => {
  assert.deepEqual(parseAnnounceResponse(enc('de')), { interval: DEFAULT_INTERVAL_S, peers: [] });
});

test('strict types: wrong types and negative numbers are TrackerErrors', () => {
  for (const bad of [
    'd8:interval3:abce',
    'd8:intervali-1ee',
    'd12:min intervalli1eee',
    'd5:peersi1ee',
    'd6:peers6i1ee',
    'd8:completei-1ee',
    'd15:warning messagei1ee',
    'd5:peersl4:abcdee',
    'd5:peersld2:ip0:4:porti1eeee',
    'd5:peersld2:ip3:a b4:porti1eeee',
    'le',
    '',
    'd',
    'd8:intervali1ee garbage',
    'd5:peers0:5:peers0:e',
  ]) {
    assert.throws(() => parseAnnounceResponse(enc(bad)), TrackerError, bad);
  }
});

test('failure reason wins and keeps a well-formed retry interval', () => {
  const r = parseAnnounceResponse(enc('d14:failure reason20:unregistered torrent12:min intervali300ee'));
  assert.equal(r.failureReason, 'unregistered torrent');
  assert.equal(r.minInterval, 300);
  assert.deepEqual(r.peers, []);
});

test('scrape: failure reason, missing files, missing entry', () => {
  const h = enc('bbbbbbbbbbbbbbbbbbbb');
  assert.throws(() => parseScrapeResponse(enc('d14:failure reason4:nopee'), h), (e: unknown) => e instanceof TrackerError && e.kind === 'failure');
  assert.throws(() => parseScrapeResponse(enc('de'), h), TrackerError);
  assert.throws(() => parseScrapeResponse(enc('d5:filesdee'), h), TrackerError);
  assert.throws(() => parseScrapeResponse(enc('d5:filesd20:bbbbbbbbbbbbbbbbbbbbi1eee'), h), TrackerError);
  assert.deepEqual(parseScrapeResponse(enc('d5:filesd20:bbbbbbbbbbbbbbbbbbbbdeee'), h), { complete: 0, incomplete: 0, downloaded: 0 });
});

// ---- fuzz: only TrackerError escapes ----

const onlyTrackerError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof TrackerError)) throw e;
    assert.ok(!e.message.includes('\n'));
  }
};

const seeds = samples.http_responses.map((s) => fromHex(s.bencoded_hex));
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { maxLength: 6 }))
  .map(([seed, edits]) => {
    const b = [...seed];
    for (const [pos, byte, op] of edits) {
      const i = b.length ? pos % (b.length + (op === 'insert' ? 1 : 0)) : 0;
      if (op === 'set' && b.length) b[i] = byte;
      else if (op === 'insert') b.splice(i, 0, byte);
      else if (b.length) b.splice(i, 1);
    }
    return new Uint8Array(b);
  });
const bencodeish = fc
  .array(fc.constantFrom(...['d', 'e', 'l', 'i', '1', '0', '-', ':', '5:peers', '6:peers6', '8:interval', '4:port', '2:ip', '5:files', '20:', 'i6e', '6:', '18:', 'x']), { maxLength: 30 })
  .map((parts) => enc(parts.join('')));

test('fuzz: parseAnnounceResponse throws only TrackerError', () => {
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated, bencodeish), (b) => onlyTrackerError(() => parseAnnounceResponse(b))), { numRuns: 3000 });
});

test('fuzz: parseScrapeResponse throws only TrackerError', () => {
  const h = enc('aaaaaaaaaaaaaaaaaaaa');
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated, bencodeish), (b) => onlyTrackerError(() => parseScrapeResponse(b, h))), { numRuns: 3000 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MagnetError, parseMagnet, parseTorrent, toMagnetUri } from './index.js';
import { encode } from '../bencode/index.js';

const H = 'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd';

test('hex and base32 info-hashes', () => {
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${H.toUpperCase()}`).infoHashHex, H);
  assert.equal(parseMagnet('magnet:?xt=urn:btih:64DZYZWMUAVLIWJUXGDIK4QGAAIN7SL6').infoHashHex, 'f7079c66cca02ab45934b9868572060010dfc97e');
  assert.equal(parseMagnet('magnet:?xt=urn:btih:mfrgcytbmjqweylcmfrgcytbmjqweylc').infoHashHex, '6162616261626162616261626162616261626162');
  assert.equal(parseMagnet(`magnet:?xt=urn%3Abtih%3A${H}`).infoHashHex, H);
});

test('all the parameters', () => {
  const m = parseMagnet(
    `magnet:?XT=urn:btih:${H}&dN=C%2B%2B+x&tr=udp%3A%2F%2Ft%3A80&tr.1=http://b/a&tr=udp%3A%2F%2Ft%3A80&tr=ftp://no&tr=` +
      `&ws=http://seed/x&x.pe=1.2.3.4:5&x.pe=[2001:db8::2]:55013&x.pe=bad&x.pe=1.2.3.4:5&dht=router.example:6881&so=0,2,4-6&so=1`,
  );
  assert.equal(m.name, 'C++ x');
  assert.deepEqual(m.trackers, ['udp://t:80', 'http://b/a']);
  assert.deepEqual(m.webSeeds, ['http://seed/x']);
  assert.deepEqual(m.peers, [{ host: '1.2.3.4', port: 5 }, { host: '2001:db8::2', port: 55013 }]);
  assert.deepEqual(m.dhtNodes, [{ host: 'router.example', port: 6881 }]);
  assert.deepEqual(m.selectOnly, [0, 1, 2, 4, 5, 6]);
});

test('select-only ignores junk and huge ranges', () => {
  assert.deepEqual(parseMagnet(`magnet:?xt=urn:btih:${H}&so=7-4,100000000,a,-4,3-&so=10`).selectOnly, [10]);
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${H}&so=0-4294967296`).selectOnly, undefined);
});

test('names: invalid UTF-8 replaced, bad escapes kept literally', () => {
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${H}&dn=%E2%9C%93%20check`).name, '\u2713 check');
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${H}&dn=%E2%9C`).name, '\ufffd');
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${H}&dn=a%ZZb`).name, 'a%ZZb');
});

const bad: [string, RegExp][] = [
  ['', /not a magnet link/],
  ['http://x', /not a magnet link/],
  ['magnet:xt=urn:btih:' + H, /missing '\?'/],
  ['magnet:?dn=foo', /missing xt=urn:btih/],
  ['magnet:?xt=urn:sha1:PDAQRAOQQRYS76MRZJ33LK4MMVZBDSCL', /missing xt=urn:btih/],
  ['magnet:?xt=urn:btih:abababab', /invalid info-hash/],
  [`magnet:?xt=urn:btih:${H}a`, /invalid info-hash/],
  ['magnet:?xt=urn:btih:' + 'z'.repeat(40), /invalid info-hash/],
  [`magnet:?xt=urn:btih:${H}#frag`, /invalid info-hash/],
  [`magnet:?xt=urn:btih:${H}&xt=urn:btih:${'ab'.repeat(20)}`, /two different/],
  ['magnet:?xt=urn%%3A', /percent-escape in xt/],
  [`magnet:?xt=urn:btih:${H}&xt=urn:btmh:1221${'cd'.repeat(32)}`, /invalid btmh/],
  ['magnet:?xs=urn:btpk:' + 'ab'.repeat(32), /BEP 46/],
];
for (const [uri, re] of bad) {
  test(`rejects ${JSON.stringify(uri.slice(0, 60))}`, () => {
    assert.throws(() => parseMagnet(uri), (e: unknown) => e instanceof MagnetError && re.test(e.message) && e.message.startsWith('magnet: '));
  });
}

test('toMagnetUri round-trips a magnet link and works from metainfo', () => {
  const src = `magnet:?xt=urn:btih:${H}&dn=a%20b&tr=http%3A%2F%2Ft%2Fa%3Fx%3D1&ws=http://s/&x.pe=[::1]:45&so=0-2,5`;
  const m = parseMagnet(src);
  assert.deepEqual(parseMagnet(toMagnetUri(m)), m);
  const t = parseTorrent(
    encode({ announce: 'udp://t:1', info: { name: 'n', 'piece length': 16384, length: 1, pieces: new Uint8Array(20) } }),
  );
  const back = parseMagnet(toMagnetUri(t));
  assert.equal(back.infoHashHex, t.infoHashHex);
  assert.equal(back.name, 'n');
  assert.deepEqual(back.trackers, ['udp://t:1']);
});

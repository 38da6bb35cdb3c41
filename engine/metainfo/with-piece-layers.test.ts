import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTorrent } from './index.js';
import { buildV2, content } from './test-v2-torrents.js';
import { withPieceLayers } from './with-piece-layers.js';
import { encode } from '../bencode/index.js';

const FILES = [
  { path: ['big.bin'], data: content(100_003, 1) },
  { path: ['one.byte'], data: content(1, 3) },
  { path: ['sub', 'mid.bin'], data: content(40_000, 2) },
];
const top = { announce: 'http://127.0.0.1:1/announce', 'url-list': ['http://127.0.0.1:2/'] };

/** The same .torrent without its piece layers: what a magnet's metadata fetch stores. */
function withoutLayers(bytes: Uint8Array): Uint8Array {
  const meta = parseTorrent(bytes);
  const head = Buffer.from(encode({ announce: top.announce })).subarray(1, -1);
  const tail = Buffer.from(encode({ 'url-list': top['url-list'] })).subarray(1, -1);
  return Buffer.concat([Buffer.from('d'), head, Buffer.from('4:info'), meta.infoBytes, tail, Buffer.from('e')]);
}

test('piece layers added to a .torrent that had none give back the complete torrent, byte for byte', () => {
  const full = buildV2('t', FILES, 32_768, { top });
  const complete = parseTorrent(full);
  assert.equal(complete.pieceLayers?.size, 2, 'two files span more than one piece');
  const bare = withoutLayers(full);
  assert.equal(parseTorrent(bare).pieceLayers?.size ?? 0, 0);
  const restored = withPieceLayers(bare, complete.pieceLayers!);
  assert.deepEqual(Buffer.from(restored), Buffer.from(full));
  const meta = parseTorrent(restored);
  assert.equal(meta.infoHashHex, complete.infoHashHex);
  assert.equal(meta.infoHashV2Hex, complete.infoHashV2Hex);
  for (const [root, layer] of complete.pieceLayers!) assert.deepEqual(Buffer.from(meta.pieceLayers?.get(root) ?? []), Buffer.from(layer));
});

test('layers already in the file stay; a hybrid keeps its info hashes', () => {
  const full = buildV2('h', FILES, 32_768, { top, hybrid: true });
  const complete = parseTorrent(full);
  const [first, second] = [...complete.pieceLayers!];
  const half = withPieceLayers(withoutLayers(full), new Map([first]));
  const both = withPieceLayers(half, new Map([second]));
  assert.deepEqual(Buffer.from(both), Buffer.from(full));
  assert.equal(parseTorrent(both).infoHashHex, complete.infoHashHex);
});

test('a file without an info dict is refused with a clear error', () => {
  assert.throws(() => withPieceLayers(encode({ announce: 'x' }), new Map()), /no info dict/);
});

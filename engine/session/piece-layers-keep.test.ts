import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInfoDict, parseTorrent } from '../metainfo/index.js';
import { buildV2, content } from '../metainfo/test-v2-torrents.js';
import type { ResumeData } from '../storage/resume/resume-data.js';
import type { Entry } from './entry.js';
import { torrentFileFromInfo } from './persist.js';
import { keepPieceLayers } from './piece-layers-keep.js';

test('piece layers fetched for a magnet are saved into its stored .torrent and its metainfo', async () => {
  const full = parseTorrent(buildV2('m', [{ path: ['a.bin'], data: content(70_000, 5) }, { path: ['b.bin'], data: content(50_000, 6) }], 16_384));
  // what fetchMetadata stored: the info dict, the magnet's trackers, no layers
  const files = new Map([[full.infoHashHex, torrentFileFromInfo(full.infoBytes, ['http://127.0.0.1:9/announce'])]]);
  const store = {
    loadMetainfo: async (id: string) => files.get(id) ?? null,
    saveMetainfo: async (id: string, bytes: Uint8Array) => void files.set(id, bytes),
  } as unknown as ResumeData;
  const entry = { id: full.infoHashHex, meta: { ...parseInfoDict(full.infoBytes), announce: [], urlList: [] } } as unknown as Entry;
  assert.equal(parseTorrent(files.get(full.infoHashHex)!).pieceLayers?.size ?? 0, 0);
  const log: string[] = [];
  await keepPieceLayers(store, entry, full.pieceLayers!, (l) => log.push(l));
  const saved = parseTorrent(files.get(full.infoHashHex)!);
  assert.equal(saved.infoHashHex, full.infoHashHex);
  assert.deepEqual(saved.announce, [['http://127.0.0.1:9/announce']]);
  assert.equal(saved.pieceLayers?.size, 2, log.join('\n'));
  for (const [root, layer] of full.pieceLayers!) assert.ok(Buffer.from(saved.pieceLayers!.get(root)!).equals(layer));
  assert.equal(entry.meta?.pieceLayers?.size, 2, 'the running entry keeps them for a pause and resume');
  assert.match(log.join('\n'), /piece layers saved with the torrent \(2 files\)/);
});

test('a store that fails to save is logged, never thrown', async () => {
  const full = parseTorrent(buildV2('m', [{ path: ['a.bin'], data: content(70_000, 5) }], 16_384));
  const store = {
    loadMetainfo: async () => torrentFileFromInfo(full.infoBytes, []),
    saveMetainfo: async () => {
      throw new Error('disk full');
    },
  } as unknown as ResumeData;
  const log: string[] = [];
  await keepPieceLayers(store, { id: full.infoHashHex, meta: null } as unknown as Entry, full.pieceLayers!, (l) => log.push(l));
  assert.match(log.join('\n'), /could not save the piece layers with the torrent \(disk full\)/);
});

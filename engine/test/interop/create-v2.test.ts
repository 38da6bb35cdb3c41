/**
 * `createTorrent` with format v2 / hybrid gives the info-hashes (v1 and v2) that libtorrent 2.0.8's
 * create_torrent gives for the same content, file order and piece length; and libtorrent loads
 * our torrents (so it accepts our piece layers) with those same hashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTorrent, type TorrentFormat } from '../../metainfo/create.js';
import { parseTorrent } from '../../metainfo/index.js';
import { SYSTEM_PYTHON } from '../../testing/clients.js';

// Args: content path, piece length, 'v2' | 'hybrid', our .torrent. Prints the hashes libtorrent
// computes when it creates the torrent itself, and when it loads ours.
const SCRIPT = `
import json, os, sys
import libtorrent as lt
src, piece_length, fmt, ours = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fs = lt.file_storage()
lt.add_files(fs, src)
flags = lt.create_torrent.v2_only if fmt == 'v2' else 0
ct = lt.create_torrent(fs, piece_length, flags)
lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(src)))
made = lt.torrent_info(lt.bencode(ct.generate()))
loaded = lt.torrent_info(ours)
def hashes(ti):
    h = ti.info_hashes()
    return {'v1': str(h.v1) if h.has_v1() else None, 'v2': str(h.v2) if h.has_v2() else None}
print(json.dumps({'libtorrent': hashes(made), 'ours_loaded': hashes(loaded), 'pieces': made.num_pieces()}))
`;

function data(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 7 + (i >> 9)) & 0xff;
  return b;
}

function libtorrent(src: string, pieceLength: number, format: TorrentFormat, ours: string) {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', SCRIPT, src, String(pieceLength), format, ours], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `python3-libtorrent failed (is python3-libtorrent installed for ${SYSTEM_PYTHON}?): ${r.stderr || r.error}`);
  return JSON.parse(r.stdout) as { libtorrent: { v1: string | null; v2: string | null }; ours_loaded: { v1: string | null; v2: string | null }; pieces: number };
}

test('v2 and hybrid creation match libtorrent create_torrent', { timeout: 240_000 }, async () => {
  assert.ok(existsSync(SYSTEM_PYTHON), `${SYSTEM_PYTHON} is required (python3-libtorrent is built for it)`);
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-create-v2-'));
  try {
    // multi-file: odd sizes, an exact piece, an empty file, a 1-byte file, and `sub/` before `sub-file`
    const multi = path.join(dir, 'multi');
    await mkdir(path.join(multi, 'sub', 'deeper'), { recursive: true });
    await writeFile(path.join(multi, 'a.bin'), data(40_000, 1));
    await writeFile(path.join(multi, 'empty'), '');
    await writeFile(path.join(multi, 'one'), 'x');
    await writeFile(path.join(multi, 'sub', 'x.bin'), data(200_001, 2));
    await writeFile(path.join(multi, 'sub', 'deeper', 'exact'), data(65_536, 3));
    await writeFile(path.join(multi, 'sub-file.bin'), data(16_384, 4));
    await writeFile(path.join(multi, 'z-last'), data(33, 5));
    const single = path.join(dir, 'single.bin');
    await writeFile(single, data(300_007, 6));
    const exact = path.join(dir, 'exact.bin');
    await writeFile(exact, data(4 * 16384, 7));

    const cases: [string, number][] = [
      [multi, 16384],
      [multi, 65536],
      [single, 32768],
      [exact, 16384],
    ];
    let checked = 0;
    for (const [src, pieceLength] of cases) {
      for (const format of ['v2', 'hybrid'] as const) {
        const what = `${path.basename(src)} ${format} ${pieceLength}`;
        const bytes = await createTorrent(src, { format, pieceLength, creationDate: null });
        const ours = path.join(dir, `ours-${checked}.torrent`);
        await writeFile(ours, bytes);
        const meta = parseTorrent(bytes);
        const lt = libtorrent(src, pieceLength, format, ours);
        assert.equal(meta.infoHashV2Hex, lt.libtorrent.v2, `${what}: v2 info hash`);
        assert.equal(meta.version === 2 ? null : meta.infoHashHex, lt.libtorrent.v1, `${what}: v1 info hash`);
        assert.deepEqual(lt.ours_loaded, lt.libtorrent, `${what}: libtorrent loads ours with the same hashes`);
        assert.equal(meta.pieceCount, lt.pieces, `${what}: piece count`);
        checked++;
      }
    }
    assert.equal(checked, 8);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * BitTorrent v2 and hybrid torrents made by libtorrent 2.0.8 (create_torrent; v2_only for v2):
 * Tessera downloads each from a libtorrent seeder and libtorrent downloads each from Tessera, byte
 * for byte; a v2 magnet (btmh only, so no piece layers) completes from a libtorrent seeder; and a
 * peer sending bad blocks of a v2 torrent is caught by the blocks' merkle hashes and banned.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMagnet, parseTorrent, type Metainfo } from '../../metainfo/index.js';
import { Client } from '../../session/client.js';
import { SYSTEM_PYTHON, freePort, startLibtorrent } from '../../testing/index.js';
import { startHostilePeer } from '../../testing/hostile-peer.js';
import { patternBytes, waitUntil as until } from '../../testing/wait.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

// Args: content folder, piece length, 'v2' | 'hybrid', output .torrent.
const MAKE_TORRENT = `
import os, sys
import libtorrent as lt
src, piece_length, fmt, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fs = lt.file_storage()
lt.add_files(fs, src)
ct = lt.create_torrent(fs, piece_length, lt.create_torrent.v2_only if fmt == 'v2' else 0)
lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(src)))
open(out, 'wb').write(lt.bencode(ct.generate()))
`;

/** Multi-file, odd sizes, an exact piece, an empty and a 1-byte file (32 KiB pieces). */
const FILES: [string, number][] = [
  ['a.bin', 300_007],
  ['empty', 0],
  ['one', 1],
  ['sub/exact.bin', 32_768],
  ['sub/z.bin', 90_001],
];
const PIECE_LENGTH = 32_768;
const FORMATS = ['v2', 'hybrid'] as const;

describe('v2 and hybrid torrents with libtorrent 2.0.8', { timeout: 300_000 }, () => {
  let root = '';
  const torrents = new Map<string, string>();
  before(() => {
    assert.ok(existsSync(SYSTEM_PYTHON), `${SYSTEM_PYTHON} with python3-libtorrent is required (apt-get install python3-libtorrent)`);
    root = mkdtempSync(join(tmpdir(), 'tessera-interop-v2-'));
    const content = join(root, 'source', 'content');
    FILES.forEach(([name, size], i) => {
      mkdirSync(join(content, name, '..'), { recursive: true });
      writeFileSync(join(content, name), patternBytes(size, 21 + i));
    });
    // one file of many pieces: every piece has several blocks, so blame needs the blocks' hashes from a peer
    writeFileSync(join(root, 'source', 'single.bin'), patternBytes(400_000, 9));
    const make = (name: string, src: string, format: 'v2' | 'hybrid'): void => {
      const out = join(root, `${name}.torrent`);
      const r = spawnSync(SYSTEM_PYTHON, ['-c', MAKE_TORRENT, src, String(PIECE_LENGTH), format, out], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `libtorrent create_torrent failed: ${r.stderr || r.error}`);
      torrents.set(name, out);
    };
    for (const format of FORMATS) make(format, content, format);
    make('single-v2', join(root, 'source', 'single.bin'), 'v2');
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const sameFiles = (dataDir: string): void => {
    for (const [name] of FILES) {
      const want = readFileSync(join(root, 'source', 'content', name));
      assert.ok(readFileSync(join(dataDir, 'content', name)).equals(want), `${name} byte for byte`);
    }
  };

  for (const format of FORMATS) {
    test(`Tessera downloads a libtorrent-made ${format} torrent from a libtorrent seeder`, { timeout: 90_000 }, async () => {
      const meta = parseTorrent(readFileSync(torrents.get(format)!));
      assert.equal(meta.version, format === 'v2' ? 2 : 'hybrid');
      const seed = await startLibtorrent({ role: 'seed', torrentFile: torrents.get(format)!, dataDir: join(root, 'source'), port: await freePort(), noTrackers: true });
      const client = new Client({ host: '127.0.0.1' });
      const log: string[] = [];
      try {
        await seed.ready;
        await client.listen();
        const out = join(root, `tessera-from-lt-${format}`);
        const t = client.add(meta, { downloadDir: out, useTrackers: false, peers: [{ host: '127.0.0.1', port: seed.port }], events: { onLog: (l) => log.push(l) } });
        await t.start();
        await until(() => t.complete, 60_000, () => `${t.have.count}/${meta.pieceCount}; log:\n${log.slice(-30).join('\n')}`);
        sameFiles(out);
      } finally {
        await client.close();
        await seed.stop();
      }
    });

    test(`libtorrent downloads a libtorrent-made ${format} torrent from a Tessera seeder`, { timeout: 90_000 }, async () => {
      const meta = parseTorrent(readFileSync(torrents.get(format)!));
      const client = new Client({ host: '127.0.0.1' });
      const log: string[] = [];
      try {
        await client.listen();
        const seeding = client.add(meta, { downloadDir: join(root, 'source'), useTrackers: false, events: { onLog: (l) => log.push(l) } });
        await seeding.start();
        assert.equal(seeding.state, 'seeding', `Tessera verifies libtorrent's ${format} data: ${log.join('\n')}`);
        const out = join(root, `lt-from-tessera-${format}`);
        const leech = await startLibtorrent({ role: 'leech', torrentFile: torrents.get(format)!, dataDir: out, port: await freePort(), noTrackers: true, peers: [{ host: '127.0.0.1', port: client.port }] });
        try {
          await leech.done;
        } finally {
          await leech.stop();
        }
        sameFiles(out);
        assert.ok(seeding.uploadMeter.total >= meta.totalLength - FILES.length * PIECE_LENGTH, `Tessera uploaded ${seeding.uploadMeter.total} bytes`);
      } finally {
        await client.close();
      }
    });
  }

  test('a v2 magnet (btmh only, no piece layers) completes from a libtorrent seeder', { timeout: 90_000 }, async () => {
    const meta = parseTorrent(readFileSync(torrents.get('v2')!));
    const seed = await startLibtorrent({ role: 'seed', torrentFile: torrents.get('v2')!, dataDir: join(root, 'source'), port: await freePort(), noTrackers: true });
    const client = new Client({ host: '127.0.0.1' });
    const log: string[] = [];
    try {
      await seed.ready;
      await client.listen();
      const magnet = parseMagnet(`magnet:?xt=urn:btmh:1220${meta.infoHashV2Hex!}&dn=content`);
      const peers = [{ host: '127.0.0.1', port: seed.port }];
      const fetched: Metainfo = await client.fetchMetadata(magnet, peers, (l) => log.push(l));
      assert.equal(fetched.infoHashV2Hex, meta.infoHashV2Hex, 'the info dict hashes to the btmh (SHA-256)');
      assert.equal(fetched.pieceLayers, undefined, 'a magnet brings no piece layers');
      const out = join(root, 'tessera-magnet-v2');
      const t = client.add(fetched, { downloadDir: out, useTrackers: false, peers, events: { onLog: (l) => log.push(l) } });
      await t.start();
      await until(() => t.complete, 60_000, () => `${t.have.count}/${meta.pieceCount}; log:\n${log.slice(-30).join('\n')}`);
      sameFiles(out);
      assert.ok(log.some((l) => /piece layer of file \d+ received from peers/.test(l)), `piece layers came from libtorrent:\n${log.join('\n')}`);
    } finally {
      await client.close();
      await seed.stop();
    }
  });

  test('tessera download of a urn:btmh magnet (v2-only) completes from a libtorrent seeder, named by the truncated v2 hash', { timeout: 90_000 }, async () => {
    const meta = parseTorrent(readFileSync(torrents.get('v2')!));
    const seed = await startLibtorrent({ role: 'seed', torrentFile: torrents.get('v2')!, dataDir: join(root, 'source'), port: await freePort(), noTrackers: true });
    try {
      await seed.ready;
      const out = join(root, 'cli-magnet-v2');
      const magnet = `magnet:?xt=urn:btmh:1220${meta.infoHashV2Hex!}&dn=content`;
      const tessera = startTessera(['download', magnet, '--out', out, '--peer', `127.0.0.1:${seed.port}`, '--port', '0', '--json', '--verbose'], root, 'tessera-cli-magnet-v2');
      const exit = await tessera.exited;
      const lines = tessera.lines();
      assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
      const summary = lastJsonLine(lines);
      assert.equal(summary.infoHash, meta.infoHashV2Hex!.slice(0, 40), 'the torrent id is the first 40 hex digits of the v2 hash');
      assert.equal(summary.complete, true);
      sameFiles(out);
    } finally {
      await seed.stop();
    }
  });

  test('a peer sending bad blocks of a v2 torrent is caught at block level, by block hashes libtorrent serves, and banned', { timeout: 90_000 }, async () => {
    const torrent = torrents.get('single-v2')!;
    const meta = parseTorrent(readFileSync(torrent));
    const liar = await startHostilePeer(meta.infoHash, meta.pieceCount, 'corrupt-blocks');
    const seed = await startLibtorrent({ role: 'seed', torrentFile: torrent, dataDir: join(root, 'source'), port: await freePort(), noTrackers: true });
    const client = new Client({ host: '127.0.0.1' });
    const log: string[] = [];
    try {
      await seed.ready;
      await client.listen();
      const out = join(root, 'tessera-v2-hostile');
      const t = client.add(meta, { downloadDir: out, useTrackers: false, peers: [{ host: '127.0.0.1', port: seed.port }], events: { onLog: (l) => log.push(l) } });
      await t.start();
      // the honest seeder first, with the download slowed so the liar, dialled next, gets requests while
      // another v2 peer is there to ask for the blocks' hashes
      t.setLimits({ download: 100_000 });
      await until(() => t.peers.size > 0, 10_000, () => 'never connected to the seeder');
      t.addPeers([{ host: '127.0.0.1', port: liar.port }], 'test');
      await until(() => liar.garbageBlocksSent() > 0, 10_000, () => 'the liar was never asked for a block');
      await until(() => t.addressBook.isBanned('127.0.0.1', liar.port), 20_000, () => `the liar is not banned; log:\n${log.join('\n')}`);
      t.setLimits({ download: null });
      await until(() => t.complete && t.addressBook.isBanned('127.0.0.1', liar.port), 60_000, () => `${t.have.count}/${meta.pieceCount}; log:\n${log.slice(-30).join('\n')}`);
      assert.ok(readFileSync(join(out, 'single.bin')).equals(readFileSync(join(root, 'source', 'single.bin'))), 'byte for byte');
      assert.ok(log.some((l) => /piece \d+: [1-9]\d* bad 16 KiB block\(s\) found by their merkle hashes/.test(l)), log.join('\n'));
      assert.ok(log.some((l) => l.includes(`banned 127.0.0.1:${liar.port}`) && /merkle check/.test(l)), log.join('\n'));
      assert.ok(!t.addressBook.isBanned('127.0.0.1', seed.port), 'libtorrent is not banned');
    } finally {
      await client.close();
      await seed.stop();
      await liar.close();
    }
  });

});

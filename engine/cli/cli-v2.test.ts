/** `tessera create --format v2|hybrid` and what `tessera info` shows for v2 and hybrid torrents. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');

function tessera(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000, env: { ...process.env, TESSERA_PORT_MAPPING: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('create --format v2 / hybrid, then info --json and info show version and both hashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-v2-'));
  try {
    mkdirSync(join(dir, 'album', 'disc 1'), { recursive: true });
    writeFileSync(join(dir, 'album', 'disc 1', 'track.flac'), Buffer.alloc(70_000, 7));
    writeFileSync(join(dir, 'album', 'cover.jpg'), Buffer.alloc(1_000, 3));
    const results: Record<string, { infoHash: string; infoHashV2?: string; version: unknown; pieceCount: number; files: unknown[] }> = {};
    for (const format of ['v1', 'v2', 'hybrid']) {
      const out = join(dir, `${format}.torrent`);
      const created = tessera(['create', join(dir, 'album'), '--out', out, '--format', format, '--piece-length', '32768']);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, new RegExp(`\\(${format}\\)`));
      const info = tessera(['info', out, '--json']);
      assert.equal(info.code, 0, info.stderr);
      results[format] = JSON.parse(info.stdout);
      const human = tessera(['info', out]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^version +(v1|v2|hybrid)/m);
      if (format !== 'v1') assert.match(human.stdout, /^v2 hash +[0-9a-f]{64}$/m);
    }
    const { v1, v2, hybrid } = results;
    assert.equal(v1.version, 1);
    assert.equal(v1.infoHashV2, undefined);
    assert.equal(v2.version, 2);
    assert.match(v2.infoHashV2!, /^[0-9a-f]{64}$/);
    assert.equal(v2.infoHash, v2.infoHashV2!.slice(0, 40), 'a v2-only torrent is named by its truncated v2 hash');
    assert.equal(hybrid.version, 'hybrid');
    assert.match(hybrid.infoHash, /^[0-9a-f]{40}$/);
    assert.notEqual(hybrid.infoHash, hybrid.infoHashV2!.slice(0, 40));
    // pad files are not listed; v2 layout: cover.jpg (1 piece, padded), track.flac (3 pieces)
    for (const j of [v2, hybrid]) {
      assert.deepEqual(j.files, [
        { index: 0, path: 'album/cover.jpg', length: 1000 },
        { index: 2, path: 'album/disc 1/track.flac', length: 70000 },
      ]);
      assert.equal(j.pieceCount, 4);
    }
    assert.equal(v1.pieceCount, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('create --format rejects unknown formats with one line', () => {
  const r = tessera(['create', repo, '--out', join(tmpdir(), 'never.torrent'), '--format', 'v3']);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^tessera: --format must be v1, v2 or hybrid, got "v3"$/);
});

test('info shows a v2-only and a hybrid magnet link', () => {
  const v2 = 'ab'.repeat(32);
  const only = tessera(['info', `magnet:?xt=urn:btmh:1220${v2}&dn=x`, '--json']);
  assert.equal(only.code, 0, only.stderr);
  assert.deepEqual(
    (({ infoHash, infoHashV2, version }) => ({ infoHash, infoHashV2, version }))(JSON.parse(only.stdout)),
    { infoHash: v2.slice(0, 40), infoHashV2: v2, version: 2 },
  );
  const both = tessera(['info', `magnet:?xt=urn:btih:${'cd'.repeat(20)}&xt=urn:btmh:1220${v2}`, '--json']);
  assert.equal(JSON.parse(both.stdout).version, 'hybrid');
  assert.equal(JSON.parse(both.stdout).infoHash, 'cd'.repeat(20));
});


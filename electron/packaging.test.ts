// The electron-builder configuration: file associations, protocols, MIME types, and icons of the right sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as {
  appId: string;
  productName: string;
  files: string[];
  fileAssociations: { ext: string; mimeType: string; role: string }[];
  protocols: { schemes: string[] }[];
  linux: { target: string[]; icon: string; mimeTypes: string[]; desktop: { entry: Record<string, string> } };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };

/** Width and height from a PNG's IHDR. */
function pngSize(buf: Buffer): [number, number] {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
  assert.equal(buf.subarray(12, 16).toString('ascii'), 'IHDR');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

test('packaging: identity, what goes in, and the entry point', () => {
  assert.equal(config.appId, 'org.tessera.app');
  assert.equal(config.productName, 'Tessera');
  assert.equal(pkg.main, 'dist/electron/main.js');
  assert.ok(config.files.includes('dist/electron/**') && config.files.includes('dist/renderer/**'));
  assert.ok(!config.files.some((f) => /^(engine|electron|renderer|e2e)\b/.test(f) || f === 'dist/**'), 'no sources, no dist/engine (which holds compiled tests)');
  assert.ok(config.files.includes('!**/*.test.*'));
  for (const s of ['start', 'dist', 'build']) assert.ok(pkg.scripts[s], `npm run ${s}`);
});

test('packaging: .torrent files and magnet links on every platform', () => {
  const torrent = config.fileAssociations.find((a) => a.ext === 'torrent');
  assert.equal(torrent?.mimeType, 'application/x-bittorrent');
  assert.deepEqual(config.protocols.flatMap((p) => p.schemes), ['magnet']);
  assert.deepEqual([...config.linux.mimeTypes].sort(), ['application/x-bittorrent', 'x-scheme-handler/magnet']);
  const entry = config.linux.desktop.entry;
  assert.deepEqual(entry['MimeType']!.split(';').filter(Boolean).sort(), ['application/x-bittorrent', 'x-scheme-handler/magnet']);
  assert.equal(entry['Name'], 'Tessera');
  assert.deepEqual([...config.linux.target].sort(), ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
});

test('packaging: icons exist with the sizes their names promise; .ico and .icns hold those PNGs', () => {
  for (const n of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
    const file = join(root, config.linux.icon, `${n}x${n}.png`);
    assert.ok(existsSync(file), file);
    assert.deepEqual(pngSize(readFileSync(file)), [n, n], file);
  }
  for (const n of [16, 32]) assert.deepEqual(pngSize(readFileSync(join(root, 'assets', 'tray', `tray-${n}.png`))), [n, n]);

  const ico = readFileSync(join(root, config.win.icon));
  assert.equal(ico.readUInt16LE(2), 1, 'type: icon');
  const count = ico.readUInt16LE(4);
  const icoSizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const e = 6 + i * 16;
    const w = ico.readUInt8(e) || 256;
    const [len, off] = [ico.readUInt32LE(e + 8), ico.readUInt32LE(e + 12)];
    assert.deepEqual(pngSize(ico.subarray(off, off + len)), [w, w]);
    icoSizes.push(w);
  }
  assert.deepEqual(icoSizes, [16, 24, 32, 48, 64, 128, 256]);

  const icns = readFileSync(join(root, config.mac.icon));
  assert.equal(icns.subarray(0, 4).toString('ascii'), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
  const want: Record<string, number> = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024, ic11: 32, ic12: 64, ic13: 256, ic14: 512 };
  const seen: string[] = [];
  for (let off = 8; off < icns.length; ) {
    const type = icns.subarray(off, off + 4).toString('ascii');
    const len = icns.readUInt32BE(off + 4);
    assert.ok(len > 8 && off + len <= icns.length, `entry ${type} fits`);
    const n = want[type];
    assert.ok(n, `known type ${type}`);
    assert.deepEqual(pngSize(icns.subarray(off + 8, off + len)), [n, n], type);
    seen.push(type);
    off += len;
  }
  assert.deepEqual(seen.sort(), Object.keys(want).sort());
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFromPeerId, makePeerId, TESSERA_PEER_ID_PREFIX } from './peer-id.js';

const id = (s: string): Uint8Array => {
  const out = new Uint8Array(20).fill(0x41);
  for (let i = 0; i < s.length && i < 20; i++) out[i] = s.charCodeAt(i);
  return out;
};

test('well-known clients', () => {
  const cases: [string, string][] = [
    ['-TR3000-', 'Transmission 3.00'],
    ['-TR2940-', 'Transmission 2.94'],
    ['-TR4060-', 'Transmission 4.0.6'],
    ['-qB4520-', 'qBittorrent 4.5.2'],
    ['-UT3550-', 'µTorrent 3.5.5'],
    ['-LT2080-', 'libtorrent 2.0.8'],
    ['-LT1C30-', 'libtorrent 1.12.3'],
    ['-lt0D80-', 'libTorrent (rakshasa) 0.13.8'],
    ['-DE211s-', 'Deluge 2.1.1'],
    ['-DE13F0-', 'Deluge 1.3.15'],
    ['-WW0109-', 'WebTorrent 1.9'],
    ['-WW0300-', 'WebTorrent 3.0'],
    ['-AZ5750-', 'Vuze 5.7.5.0'],
    ['-TS0100-', 'Tessera 0.1.0'],
    ['A2-1-36-0-', 'aria2 1.36.0'],
    ['M4-3-6--', 'Mainline 4.3.6'],
    ['S58B-----', 'Shadow 5.8.11'],
    ['T03I-----', 'BitTornado 0.3.18'],
  ];
  for (const [prefix, name] of cases) assert.equal(clientFromPeerId(id(prefix)), name, prefix);
});

test('unknown ids are shown printable', () => {
  assert.equal(clientFromPeerId(id('-XX1234-')), 'Unknown (-XX1234-)');
  assert.equal(clientFromPeerId(new Uint8Array([0x2d, 0x58, 0, 0x0a, 0x31, 0x32, 0x33, 0x2d, ...new Array(12).fill(0)])), 'Unknown (-X..123-)');
  assert.equal(clientFromPeerId(new Uint8Array(20)), 'Unknown');
  assert.equal(clientFromPeerId(new Uint8Array(3)), 'Unknown');
  assert.equal(clientFromPeerId(id('-TR3\x0000-')), 'Unknown (-TR3.00-)');
});

test('makePeerId: Tessera prefix plus 12 alphanumerics, different each time', () => {
  const a = makePeerId();
  const b = makePeerId();
  assert.equal(a.length, 20);
  const text = new TextDecoder().decode(a);
  assert.ok(text.startsWith(TESSERA_PEER_ID_PREFIX));
  assert.match(text.slice(8), /^[0-9A-Za-z]{12}$/);
  assert.notDeepEqual(a, b);
  assert.equal(clientFromPeerId(a), 'Tessera 0.1.0');
  // Rejection sampling skips bytes >= 248.
  const fixed = makePeerId('-TS0100-', (n) => new Uint8Array(n).fill(255).map((v, i) => (i % 2 ? v : 61)));
  assert.equal(new TextDecoder().decode(fixed.subarray(8)), 'z'.repeat(12));
});

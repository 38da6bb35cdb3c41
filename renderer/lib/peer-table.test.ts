import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerInfo } from '../../engine/api/types.js';
import { compareAddress, comparePeers, describeFlags, isVolatile, orderPeers, parseAddress, parseFlags } from './peer-table.js';

function peer(address: string, fields: Partial<PeerInfo> = {}): PeerInfo {
  return { address, client: 'qBittorrent 4.6', flags: '', downRate: 0, upRate: 0, progress: 0, downloaded: 0, uploaded: 0, ...fields };
}

test('flag letters become words; unknown letters are kept', () => {
  assert.deepEqual(parseFlags('DuI').map((f) => f.letter), ['D', 'u', 'I']);
  assert.match(parseFlags('S')[0].label, /snubbed/);
  assert.match(parseFlags('E')[0].label, /encrypted connection \(RC4/);
  assert.match(parseFlags('e')[0].label, /handshake only/);
  assert.equal(parseFlags('X')[0].label, 'flag X (unknown)');
  assert.equal(describeFlags(''), 'no flags');
  assert.match(parseFlags('P')[0].label, /^uTP connection/);
  assert.equal(describeFlags('DO'), 'D: downloading from them; O: optimistic unchoke');
});

test('addresses sort numerically: IPv4 before IPv6, then port', () => {
  const sorted = ['[2001:db8::1]:6881', '10.0.0.2:80', '9.255.0.1:6881', '10.0.0.10:6881', '10.0.0.2:7', '[::1]:5', 'weird'].sort(compareAddress);
  assert.deepEqual(sorted, ['9.255.0.1:6881', '10.0.0.2:7', '10.0.0.2:80', '10.0.0.10:6881', '[::1]:5', '[2001:db8::1]:6881', 'weird']);
  assert.equal(parseAddress('[fe80::a:1]:51413').host, 'fe80:0000:0000:0000:0000:0000:000a:0001');
  assert.equal(parseAddress('[fe80::a:1]:51413').port, 51413);
});

test('columns sort both ways with the address breaking ties', () => {
  const a = peer('1.1.1.1:1', { downRate: 5, client: 'Transmission 4' });
  const b = peer('1.1.1.2:1', { downRate: 5, client: 'libtorrent 2' });
  const c = peer('1.1.1.3:1', { downRate: 9, client: 'aria2' });
  const by = (key: Parameters<typeof comparePeers>[2]['key'], descending = false): string[] =>
    [c, b, a].sort((x, y) => comparePeers(x, y, { key, descending })).map((p) => p.address.slice(6, 7));
  assert.deepEqual(by('downRate'), ['1', '2', '3']);
  assert.deepEqual(by('downRate', true), ['3', '1', '2'], 'ties keep address order even descending');
  assert.deepEqual(by('client'), ['3', '2', '1']);
  assert.deepEqual(by('address', true), ['3', '2', '1']);
  assert.equal(isVolatile('downRate'), true);
  assert.equal(isVolatile('address'), false);
});

test('rows hold their places between re-sorts; leavers drop out, newcomers join at the end', () => {
  const sort = { key: 'downRate' as const, descending: true };
  const first = orderPeers([], [peer('1.0.0.1:1', { downRate: 1 }), peer('1.0.0.2:1', { downRate: 9 })], sort, false);
  assert.deepEqual(first, ['1.0.0.2:1', '1.0.0.1:1'], 'the first order is sorted');
  const peers = [peer('1.0.0.1:1', { downRate: 50 }), peer('1.0.0.3:1', { downRate: 7 }), peer('1.0.0.4:1', { downRate: 8 })];
  const held = orderPeers(first, peers, sort, false);
  assert.deepEqual(held, ['1.0.0.1:1', '1.0.0.4:1', '1.0.0.3:1']);
  const resorted = orderPeers(held, [...peers, peer('1.0.0.5:1', { downRate: 10 })], sort, true);
  assert.deepEqual(resorted, ['1.0.0.1:1', '1.0.0.5:1', '1.0.0.4:1', '1.0.0.3:1']);
});

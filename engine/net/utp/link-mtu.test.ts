import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLoopbackAddress, readLinkMtus } from './link-mtu.js';

test('interface MTUs: loopback by its flag, the largest of the others; 1500 where /sys is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sysnet-'));
  try {
    const iface = (name: string, mtu: number, flags: string) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'mtu'), `${mtu}\n`);
      writeFileSync(join(dir, name, 'flags'), `${flags}\n`);
    };
    iface('lo', 65_536, '0x9');
    iface('eth0', 1500, '0x1003');
    iface('veth9', 9000, '0x1003');
    iface('wg0', 1420, '0x91');
    assert.deepEqual(readLinkMtus(dir), { loopback: 65_536, other: 9000 });
    assert.deepEqual(readLinkMtus(join(dir, 'missing')), { loopback: 1500, other: 1500 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loopback addresses', () => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(a), a);
  for (const a of ['10.0.0.1', '::2', 'fe80::1', '128.0.0.1', '::ffff:10.0.0.1']) assert.ok(!isLoopbackAddress(a), a);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dhtTitle } from './dht-status.js';

test('the DHT tooltip splits the count between IPv4 and IPv6 when the engine reports the IPv6 part', () => {
  assert.equal(dhtTitle(120, 20), 'Nodes in the DHT routing tables: 100 IPv4, 20 IPv6');
  assert.equal(dhtTitle(0, 0), 'Nodes in the DHT routing tables: 0 IPv4, 0 IPv6');
});

test('an engine without the IPv6 count keeps the old tooltip', () => {
  assert.equal(dhtTitle(42, undefined), 'Nodes in the DHT routing table');
});

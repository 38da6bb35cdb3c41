// The status bar's counters: the DHT count covers both address families, the IPv6 part goes alongside.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS } from '../api/validate-settings.js';
import { GlobalTotals } from './global-stats.js';

test('the DHT node count and its IPv6 part reach the global stats; without an IPv6 count the field is absent', () => {
  const totals = new GlobalTotals();
  const both = totals.stats(() => [], [], 0, { settings: DEFAULT_SETTINGS, dhtNodes: 130, dhtNodes6: 30, freeDiskBytes: 1 });
  assert.equal(both.dhtNodes, 130);
  assert.equal(both.dhtNodes6, 30);
  const v4only = totals.stats(() => [], [], 0, { settings: DEFAULT_SETTINGS, dhtNodes: 100, freeDiskBytes: 1 });
  assert.equal(v4only.dhtNodes, 100);
  assert.ok(!('dhtNodes6' in v4only));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrackerInfo } from '../../../engine/api/types.js';
import { formatCount, formatCountdown, remainingSeconds, sortTrackers, sourceTierLabel, tiersOf, trackerStatusLabel, withoutTracker, withTracker } from './tracker-view.js';

function tracker(url: string, tier: number, status: TrackerInfo['status'] = 'working'): TrackerInfo {
  return { url, tier, status, message: '', seeds: null, leechers: null, completed: null, nextAnnounceIn: null };
}

test('countdowns tick down locally and stop at now', () => {
  assert.equal(remainingSeconds(null, 0), null);
  assert.equal(remainingSeconds(100, 0), 100);
  assert.equal(remainingSeconds(100, 30_400), 70);
  assert.equal(remainingSeconds(10, 60_000), 0);
  assert.equal(formatCountdown(null), '');
  assert.equal(formatCountdown(0), 'now');
  assert.equal(formatCountdown(75), '1:15');
  assert.equal(formatCountdown(3725), '1:02:05');
});

test('statuses and counts in words', () => {
  assert.equal(trackerStatusLabel(tracker('a', 0, 'error')), 'Not working');
  assert.equal(trackerStatusLabel(tracker('a', 0, 'idle')), 'Not contacted yet');
  assert.equal(formatCount(null), '—');
  assert.equal(formatCount(12_345), '12,345');
});

test('trackers list by tier and keep their order within one', () => {
  const sorted = sortTrackers([tracker('c', 1), tracker('a', 0), tracker('d', 1), tracker('b', 0)]);
  assert.deepEqual(sorted.map((t) => t.url), ['a', 'b', 'c', 'd']);
});

test('web seeds sort after every tracker and are labelled as web seeds', () => {
  const seed: TrackerInfo = { ...tracker('http://mirror/files/', -1, 'updating'), kind: 'webSeed' };
  const sorted = sortTrackers([seed, tracker('udp://b', 3), tracker('udp://a', 0)]);
  assert.deepEqual(sorted.map((t) => t.url), ['udp://a', 'udp://b', 'http://mirror/files/']);
  assert.equal(sourceTierLabel(seed), 'web seed');
  assert.equal(sourceTierLabel(tracker('udp://a', 0)), '1');
  assert.equal(trackerStatusLabel(seed), 'Downloading');
  assert.equal(trackerStatusLabel(tracker('udp://a', 0, 'updating')), 'Announcing…');
});

test('tiers from the rows, and edits of them: add as a new tier, remove (an emptied tier goes)', () => {
  const rows = [tracker('http://b', 1), tracker('http://a1', 0), tracker('http://c', 2), tracker('http://a2', 0)];
  const tiers = tiersOf(rows);
  assert.deepEqual(tiers, [['http://a1', 'http://a2'], ['http://b'], ['http://c']]);
  assert.deepEqual(withoutTracker(tiers, 'http://b'), [['http://a1', 'http://a2'], ['http://c']]);
  assert.deepEqual(withTracker(tiers, 'http://d'), [...tiers, ['http://d']]);
  assert.deepEqual(withTracker(tiers, 'http://c'), tiers, 'already listed: unchanged');
  assert.deepEqual(tiersOf([...rows, { ...tracker('http://mirror/', -1), kind: 'webSeed' }]), tiers, 'web seeds are no tier');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatDate,
  formatEta,
  formatLimit,
  formatMinuteOfDay,
  formatPercent,
  formatRate,
  formatRatio,
  parseKiBps,
  parseMinuteOfDay,
  toKiBpsText,
} from './format.js';

test('formatBytes picks binary units with three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.00 KiB');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(15.5 * 1024 * 1024), '15.5 MiB');
  assert.equal(formatBytes(700 * 1024 ** 3), '700 GiB');
  assert.equal(formatBytes(1023.99 * 1024), '1.00 MiB');
  assert.equal(formatBytes(-1), '—');
  assert.equal(formatBytes(Number.NaN), '—');
});

test('formatRate is quiet for zero and adds /s', () => {
  assert.equal(formatRate(0), '');
  assert.equal(formatRate(0, '0 B/s'), '0 B/s');
  assert.equal(formatRate(2048), '2.00 KiB/s');
  assert.equal(formatLimit(null), '∞');
  assert.equal(formatLimit(1024 * 100), '100 KiB/s');
});

test('formatEta', () => {
  assert.equal(formatEta(-1), '∞');
  assert.equal(formatEta(0), '0s');
  assert.equal(formatEta(59), '59s');
  assert.equal(formatEta(200), '3m 20s');
  assert.equal(formatEta(2 * 3600 + 5 * 60), '2h 05m');
  assert.equal(formatEta(3 * 86_400 + 4 * 3600 + 10), '3d 4h');
  assert.equal(formatEta(400 * 86_400), '∞');
  assert.equal(formatEta(Number.POSITIVE_INFINITY), '∞');
});

test('formatPercent never shows an incomplete torrent as 100%', () => {
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(0.4567), '45.6%');
  assert.equal(formatPercent(0.99999), '99.9%');
  assert.equal(formatPercent(1), '100%');
});

test('formatRatio and formatDate', () => {
  assert.equal(formatRatio(1.23456), '1.23');
  assert.equal(formatRatio(Number.POSITIVE_INFINITY), '∞');
  assert.equal(formatDate(null), '');
  assert.equal(formatDate(0), '');
  const d = new Date(2024, 4, 1, 14, 3).getTime();
  assert.equal(formatDate(d), '2024-05-01 14:03');
});

test('minute of day round trip', () => {
  assert.equal(formatMinuteOfDay(0), '00:00');
  assert.equal(formatMinuteOfDay(1439), '23:59');
  assert.equal(parseMinuteOfDay('08:30'), 510);
  assert.equal(parseMinuteOfDay('8:30'), 510);
  assert.equal(parseMinuteOfDay('24:00'), null);
  assert.equal(parseMinuteOfDay('12:60'), null);
  assert.equal(parseMinuteOfDay('noon'), null);
});

test('KiB/s limits: empty and 0 mean unlimited, junk is undefined', () => {
  assert.equal(parseKiBps(''), null);
  assert.equal(parseKiBps(' 0 '), null);
  assert.equal(parseKiBps('500'), 512_000);
  assert.equal(parseKiBps('1.5'), 1536);
  assert.equal(parseKiBps('-3'), undefined);
  assert.equal(parseKiBps('fast'), undefined);
  assert.equal(toKiBpsText(null), '');
  assert.equal(toKiBpsText(512_000), '500');
  assert.equal(toKiBpsText(1536), '1.5');
});

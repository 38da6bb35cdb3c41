import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEndpoint } from './endpoint.js';

test('IPv6 hosts are bracketed, IPv4 hosts and names are not', () => {
  assert.equal(formatEndpoint('::1', 6881), '[::1]:6881');
  assert.equal(formatEndpoint('2001:db8::5', 51413), '[2001:db8::5]:51413');
  assert.equal(formatEndpoint('127.0.0.1', 6881), '127.0.0.1:6881');
  assert.equal(formatEndpoint('tracker.example', 80), 'tracker.example:80');
});

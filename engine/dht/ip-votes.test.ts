import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExternalIpVotes } from './ip-votes.js';

test('an external IP is agreed on by at least 3 voters forming a strict majority', () => {
  const v = new ExternalIpVotes();
  assert.equal(v.vote('1.1.1.1', '8.8.4.4'), false);
  assert.equal(v.vote('2.2.2.2', '8.8.4.4'), false);
  assert.equal(v.vote('3.3.3.3', '9.9.9.9'), false);
  assert.equal(v.vote('4.4.4.4', '8.8.4.4'), true); // 3 of 4
  assert.equal(v.vote('5.5.5.5', '9.9.9.9'), false); // a vote for 9.9.9.9: 2 of 5 agree on it
});

test('a voter counts once: a second vote replaces its first', () => {
  const v = new ExternalIpVotes();
  for (let i = 0; i < 5; i++) assert.equal(v.vote('1.1.1.1', '8.8.4.4'), false);
});

test('private and malformed addresses are not votes', () => {
  const v = new ExternalIpVotes();
  for (const voter of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) {
    assert.equal(v.vote(voter, '192.168.1.2'), false);
    assert.equal(v.vote(voter, 'not an ip'), false);
  }
});

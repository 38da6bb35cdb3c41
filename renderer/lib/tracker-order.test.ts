import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moveTracker, trackerMoves } from './tracker-order.js';

const tiers = [['a', 'b'], ['c'], ['d', 'e']];

test('moves within a tier swap neighbours; the ends do not move past the edge', () => {
  assert.deepEqual(moveTracker(tiers, 'b', 'up'), [['b', 'a'], ['c'], ['d', 'e']]);
  assert.deepEqual(moveTracker(tiers, 'd', 'down'), [['a', 'b'], ['c'], ['e', 'd']]);
  assert.equal(moveTracker(tiers, 'a', 'up'), null);
  assert.equal(moveTracker(tiers, 'e', 'down'), null);
  assert.deepEqual(tiers, [['a', 'b'], ['c'], ['d', 'e']], 'the input is left as it was');
});

test('to the tier above goes last there, to the tier below goes first there; an emptied tier goes', () => {
  assert.deepEqual(moveTracker(tiers, 'd', 'toTierAbove'), [['a', 'b'], ['c', 'd'], ['e']]);
  assert.deepEqual(moveTracker(tiers, 'c', 'toTierAbove'), [['a', 'b', 'c'], ['d', 'e']]);
  assert.deepEqual(moveTracker(tiers, 'b', 'toTierBelow'), [['a'], ['b', 'c'], ['d', 'e']]);
  assert.deepEqual(moveTracker(tiers, 'c', 'toTierBelow'), [['a', 'b'], ['c', 'd', 'e']]);
  assert.equal(moveTracker(tiers, 'a', 'toTierAbove'), null);
  assert.equal(moveTracker(tiers, 'e', 'toTierBelow'), null);
});

test('a tier of its own goes right after the old one; whole tiers swap with their neighbour', () => {
  assert.deepEqual(moveTracker(tiers, 'a', 'ownTier'), [['b'], ['a'], ['c'], ['d', 'e']]);
  assert.equal(moveTracker(tiers, 'c', 'ownTier'), null, 'already alone');
  assert.deepEqual(moveTracker(tiers, 'd', 'tierUp'), [['a', 'b'], ['d', 'e'], ['c']]);
  assert.deepEqual(moveTracker(tiers, 'a', 'tierDown'), [['c'], ['a', 'b'], ['d', 'e']]);
  assert.equal(moveTracker(tiers, 'b', 'tierUp'), null);
  assert.equal(moveTracker(tiers, 'x', 'down'), null, 'unknown URL');
});

test('the menu lists only the moves that apply', () => {
  assert.deepEqual(trackerMoves(tiers, 'a').map((m) => m.move), ['down', 'toTierBelow', 'ownTier', 'tierDown']);
  assert.deepEqual(trackerMoves(tiers, 'c').map((m) => m.move), ['toTierAbove', 'toTierBelow', 'tierUp', 'tierDown']);
  assert.deepEqual(trackerMoves([['only']], 'only'), []);
});

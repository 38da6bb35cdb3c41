import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clickSelect, moveCursor, rangeBetween, selectedInOrder, type Selection } from './selection.js';

const visible = ['a', 'b', 'c', 'd', 'e'];
const empty: Selection = { selected: new Set(), anchor: null, lead: null };
const ids = (s: Selection) => [...s.selected].sort();

test('plain click selects one row and sets the anchor', () => {
  const s = clickSelect(empty, 'c', 'only', visible);
  assert.deepEqual(ids(s), ['c']);
  assert.equal(s.anchor, 'c');
  assert.equal(s.lead, 'c');
});

test('ctrl-click toggles and moves the anchor', () => {
  let s = clickSelect(empty, 'b', 'only', visible);
  s = clickSelect(s, 'd', 'toggle', visible);
  assert.deepEqual(ids(s), ['b', 'd']);
  s = clickSelect(s, 'b', 'toggle', visible);
  assert.deepEqual(ids(s), ['d']);
  assert.equal(s.anchor, 'b');
});

test('shift-click selects the range from the anchor, both directions, and re-extends from the same anchor', () => {
  let s = clickSelect(empty, 'b', 'only', visible);
  s = clickSelect(s, 'd', 'range', visible);
  assert.deepEqual(ids(s), ['b', 'c', 'd']);
  s = clickSelect(s, 'a', 'range', visible);
  assert.deepEqual(ids(s), ['a', 'b']);
  assert.equal(s.anchor, 'b');
  assert.equal(s.lead, 'a');
});

test('shift-click without a visible anchor selects just the row', () => {
  const s = clickSelect({ selected: new Set(['x']), anchor: 'x', lead: 'x' }, 'c', 'range', visible);
  assert.deepEqual(ids(s), ['c']);
  assert.equal(s.anchor, 'c');
});

test('rangeBetween', () => {
  assert.deepEqual(rangeBetween(visible, 'd', 'b'), ['b', 'c', 'd']);
  assert.equal(rangeBetween(visible, null, 'b'), null);
  assert.equal(rangeBetween(visible, 'a', 'zz'), null);
});

test('arrow keys move the cursor, clamp at the ends, shift extends, ctrl keeps the selection', () => {
  let s = moveCursor(empty, 1, visible, { extend: false, keepSelection: false });
  assert.deepEqual(ids(s), ['a']);
  s = moveCursor(s, 1, visible, { extend: false, keepSelection: false });
  assert.deepEqual(ids(s), ['b']);
  s = moveCursor(s, 2, visible, { extend: true, keepSelection: false });
  assert.deepEqual(ids(s), ['b', 'c', 'd']);
  assert.equal(s.lead, 'd');
  s = moveCursor(s, 10, visible, { extend: false, keepSelection: false });
  assert.deepEqual(ids(s), ['e']);
  s = moveCursor(s, Number.NEGATIVE_INFINITY, visible, { extend: true, keepSelection: false });
  assert.deepEqual(ids(s), visible);
  s = moveCursor(s, 1, visible, { extend: false, keepSelection: true });
  assert.equal(s.lead, 'b');
  assert.equal(s.selected.size, 5);
  assert.equal(moveCursor(empty, -1, visible, { extend: false, keepSelection: false }).lead, 'e');
  assert.equal(moveCursor(empty, 1, [], { extend: false, keepSelection: false }), empty);
});

test('selectedInOrder keeps list order and does not drop hidden selected rows', () => {
  assert.deepEqual(selectedInOrder(visible, new Set(['d', 'a'])), ['a', 'd']);
  assert.deepEqual(selectedInOrder(['a'], new Set(['z', 'a'])), ['a', 'z']);
  assert.deepEqual(selectedInOrder(visible, new Set()), []);
});

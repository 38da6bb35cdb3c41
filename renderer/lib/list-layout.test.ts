import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LIST_LAYOUT,
  MAX_COLUMN_PX,
  MIN_COLUMN_PX,
  gridTemplate,
  loadListLayout,
  loadListSort,
  resetColumnWidths,
  resizeColumn,
  saveListLayout,
  saveListSort,
  toggleColumn,
  visibleColumns,
  type LayoutColumn,
} from './list-layout.js';

const columns: LayoutColumn[] = [
  { key: 'name', width: 'minmax(12em, 1fr)', required: true },
  { key: 'size', width: '6em' },
  { key: 'ratio', width: '4em' },
];

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

test('the grid template uses resized widths in px and drops hidden columns', () => {
  assert.equal(gridTemplate(columns, DEFAULT_LIST_LAYOUT), 'minmax(12em, 1fr) 6em 4em');
  const resized = resizeColumn(DEFAULT_LIST_LAYOUT, 'size', 120.4);
  assert.equal(gridTemplate(columns, resized), 'minmax(12em, 1fr) 120px 4em');
  const hidden = toggleColumn(columns, resized, 'ratio');
  assert.equal(gridTemplate(columns, hidden), 'minmax(12em, 1fr) 120px');
  assert.deepEqual(visibleColumns(columns, hidden).map((c) => c.key), ['name', 'size']);
  assert.deepEqual(toggleColumn(columns, hidden, 'ratio').hidden, [], 'toggling again shows it');
});

test('widths are clamped; the name cannot be hidden; unchanged layouts keep their identity', () => {
  assert.equal(resizeColumn(DEFAULT_LIST_LAYOUT, 'size', 3).widths.size, MIN_COLUMN_PX);
  assert.equal(resizeColumn(DEFAULT_LIST_LAYOUT, 'size', 1e9).widths.size, MAX_COLUMN_PX);
  assert.equal(toggleColumn(columns, DEFAULT_LIST_LAYOUT, 'name'), DEFAULT_LIST_LAYOUT);
  assert.equal(toggleColumn(columns, DEFAULT_LIST_LAYOUT, 'nonsense'), DEFAULT_LIST_LAYOUT);
  const sized = resizeColumn(DEFAULT_LIST_LAYOUT, 'size', 100);
  assert.equal(resizeColumn(sized, 'size', 100), sized);
  assert.deepEqual(resetColumnWidths(sized, 'size').widths, {});
  assert.equal(resetColumnWidths(sized, 'ratio'), sized);
  assert.deepEqual(resetColumnWidths(resizeColumn(sized, 'ratio', 50)).widths, {});
});

test('a saved layout loads back; junk, unknown columns and bad widths fall back to the defaults', () => {
  const storage = memoryStorage();
  assert.equal(loadListLayout(storage, columns), DEFAULT_LIST_LAYOUT);
  const layout = toggleColumn(columns, resizeColumn(DEFAULT_LIST_LAYOUT, 'size', 140), 'ratio');
  saveListLayout(storage, layout);
  assert.deepEqual(loadListLayout(storage, columns), layout);

  const [[key]] = [...storage.data];
  storage.data.set(key, '{not json');
  assert.equal(loadListLayout(storage, columns), DEFAULT_LIST_LAYOUT);
  storage.data.set(key, JSON.stringify({ widths: { size: 'wide', ratio: 1e12, gone: 80 }, hidden: ['name', 'gone', 'size', 'size', 7] }));
  assert.deepEqual(loadListLayout(storage, columns), { widths: { ratio: MAX_COLUMN_PX }, hidden: ['size'] });
  assert.equal(loadListLayout(null, columns), DEFAULT_LIST_LAYOUT);
  assert.doesNotThrow(() => saveListLayout({ setItem: () => { throw new Error('QuotaExceededError'); } }, layout));
});

test('the sort order is remembered; an unknown column or a bad value is no sort', () => {
  const storage = memoryStorage();
  const keys = ['name', 'size'] as const;
  assert.equal(loadListSort(storage, keys), null);
  saveListSort(storage, { key: 'size', descending: true });
  assert.deepEqual(loadListSort(storage, keys), { key: 'size', descending: true });
  assert.equal(loadListSort(storage, ['name']), null, 'a column that is gone');
  for (const junk of ['{', '7', '{"key":"name","descending":"yes"}', '{"key":5,"descending":true}']) {
    storage.data.set('tessera.listSort', junk);
    assert.equal(loadListSort(storage, keys), null, junk);
  }
});

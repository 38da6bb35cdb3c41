import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoryProblem, categorySavePath, changeTags, inCategory, normaliseCategory, tagProblem } from './categories.js';
import { validateCommand, validateSettingsPatch } from './validate.js';

test('category names: nested, trimmed; empty levels, dot levels, backslashes, control characters and long names refused', () => {
  assert.equal(normaliseCategory(' Movies / 4K '), 'Movies/4K');
  assert.equal(categoryProblem('Movies/4K'), null);
  assert.equal(categoryProblem('Ünïcode names/ok'), null);
  assert.match(categoryProblem('')!, /empty/);
  assert.match(categoryProblem('a//b')!, /empty level/);
  assert.match(categoryProblem('/a')!, /empty level/);
  assert.match(categoryProblem('a/..')!, /"\." or "\.\."/);
  assert.match(categoryProblem('a\\b')!, /backslash/);
  assert.match(categoryProblem('a\u0001')!, /control/);
  assert.match(categoryProblem('x'.repeat(201))!, /longer than 200/);
  assert.match(categoryProblem('a/b/c/d/e/f/g/h/i')!, /more than 8 levels/);
});

test('tags: trimmed words; commas, control characters, empty and long tags refused; changes keep one sorted list', () => {
  assert.equal(tagProblem('hd'), null);
  assert.match(tagProblem('')!, /empty/);
  assert.match(tagProblem('a,b')!, /comma/);
  assert.match(tagProblem('t'.repeat(65))!, /longer than 64/);
  const tags = ['b', 'hd'];
  assert.equal(changeTags(tags, ['hd'], []), tags, 'unchanged: the same array');
  assert.deepEqual(changeTags(tags, ['a', 'z'], ['b']), ['a', 'hd', 'z']);
  assert.deepEqual(changeTags(tags, ['q'], ['q']), ['b', 'hd'], 'added and removed ends removed');
});

test('save path and filter rules: exactly its own category; a filter includes subcategories', () => {
  const cats = [{ name: 'Movies', savePath: '/m' }, { name: 'Movies/4K', savePath: null }];
  assert.equal(categorySavePath(cats, 'Movies'), '/m');
  assert.equal(categorySavePath(cats, 'Movies/4K'), null, 'not inherited');
  assert.equal(categorySavePath(cats, null), null);
  assert.equal(inCategory('Movies/4K', 'Movies'), true);
  assert.equal(inCategory('Movies', 'Movies'), true);
  assert.equal(inCategory('MoviesX', 'Movies'), false);
  assert.equal(inCategory(null, 'Movies'), false);
});

test('the protocol validates categories and tags in add, setCategory, setTags, setTorrentOptions and the settings', () => {
  const id = 'a'.repeat(40);
  const ok = validateCommand({ type: 'setCategory', ids: [id], category: ' TV / Drama ' });
  assert.ok(ok.ok && ok.value.type === 'setCategory' && ok.value.category === 'TV/Drama');
  assert.ok(validateCommand({ type: 'setCategory', ids: [id], category: null }).ok);
  const bad = validateCommand({ type: 'setCategory', ids: [id], category: '../etc' });
  assert.ok(!bad.ok && /command\.category/.test(bad.error.message));
  const tags = validateCommand({ type: 'setTags', ids: [id], add: ['z', ' a ', 'z'] });
  assert.ok(tags.ok && tags.value.type === 'setTags' && tags.value.add.join() === 'a,z' && tags.value.remove.length === 0);
  assert.ok(!validateCommand({ type: 'setTags', ids: [id], add: ['a,b'] }).ok);
  assert.ok(!validateCommand({ type: 'setTags', ids: [id], add: Array.from({ length: 65 }, (_, i) => `t${i}`) }).ok);
  const add = validateCommand({ type: 'add', source: { kind: 'magnet', uri: 'magnet:?xt=urn:btih:' + id }, category: 'Movies', tags: ['hd'] });
  assert.ok(add.ok && add.value.type === 'add' && add.value.category === 'Movies' && add.value.tags?.join() === 'hd');
  assert.ok(!validateCommand({ type: 'add', source: { kind: 'magnet', uri: 'magnet:?xt=urn:btih:' + id }, category: '' }).ok);
  assert.ok(validateCommand({ type: 'setTorrentOptions', id, options: { category: 'A', tags: ['x'] } }).ok);
  assert.ok(!validateCommand({ type: 'setTorrentOptions', id, options: { tags: 'x' } }).ok);

  const s = validateSettingsPatch({ categories: [{ name: 'Movies', savePath: '/data/movies/' }, { name: 'TV', savePath: null }] });
  assert.ok(s.ok);
  assert.deepEqual(s.ok && s.value.categories, [{ name: 'Movies', savePath: '/data/movies' }, { name: 'TV', savePath: null }]);
  const dup = validateSettingsPatch({ categories: [{ name: 'A', savePath: null }, { name: ' A', savePath: null }] });
  assert.ok(!dup.ok && /repeats the category "A"/.test(dup.error.message));
  const rel = validateSettingsPatch({ categories: [{ name: 'A', savePath: 'relative/dir' }] });
  assert.ok(!rel.ok && /categories\[0\]\.savePath must be an absolute path/.test(rel.error.message));
});

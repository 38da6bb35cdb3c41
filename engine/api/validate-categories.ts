/** Validation of categories and tags as they cross the boundary (commands, settings, torrent options). Pure. */
import { CATEGORY_LIMITS, categoryProblem, normaliseCategory, normaliseTag, sortedTags, tagProblem } from './categories.js';
import type { CategoryDef } from './types.js';
import { absolutePath, array, fail, object, own } from './validate-primitives.js';

/** A category path, returned normalised (segments trimmed). */
export function categoryName(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'must be a category name string like "Movies/4K"');
  const name = normaliseCategory(v);
  const problem = categoryProblem(name);
  if (problem) fail(path, problem);
  return name;
}

export function tagName(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'must be a tag string');
  const tag = normaliseTag(v);
  const problem = tagProblem(tag);
  if (problem) fail(path, problem);
  return tag;
}

/** A list of tags, normalised, sorted and without repeats. */
export function tagList(v: unknown, path: string): string[] {
  const a = array(v, path, CATEGORY_LIMITS.maxTags);
  return sortedTags(a.map((t, i) => tagName(t, `${path}[${i}]`)));
}

/** Settings.categories: each name once, save paths absolute or null. */
export function categoryList(v: unknown, path: string): CategoryDef[] {
  const a = array(v, path, CATEGORY_LIMITS.maxCategories);
  const out: CategoryDef[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < a.length; i++) {
    const p = `${path}[${i}]`;
    const o = object(a[i], p, ['name', 'savePath']);
    const name = categoryName(own(o, 'name'), `${p}.name`);
    if (seen.has(name)) fail(`${p}.name`, `repeats the category "${name}": each category once`);
    seen.add(name);
    const sp = own(o, 'savePath');
    out.push({ name, savePath: sp === null || sp === undefined ? null : absolutePath(sp, `${p}.savePath`, false) });
  }
  return out;
}

/**
 * Categories and tags (issue 17): what a valid name looks like, and the rules every client shares.
 * Pure: no Node APIs, so the renderer imports it too.
 *
 * - A category is a path of segments joined by "/" ("Movies/4K"); each torrent has at most one.
 *   Categories live in Settings.categories (so every client sees a change through the settings
 *   events), each with an optional save path. A subcategory does not inherit its parent's save path:
 *   a torrent follows the save path of exactly its own category, when that one has one.
 * - Filtering by a category shows its subcategories' torrents too ("Movies" shows "Movies/4K").
 * - A tag is a short label; a torrent has any number of them (bounded), kept sorted and unique.
 */
import type { CategoryDef } from './types.js';

export const CATEGORY_LIMITS = {
  /** A category path, in UTF-16 code units. */
  maxCategoryLength: 200,
  maxCategoryDepth: 8,
  /** Categories in the settings. */
  maxCategories: 1000,
  maxTagLength: 64,
  /** Tags on one torrent, and tags in one setTags change. */
  maxTags: 64,
} as const;

/** "Movies / 4K " -> "Movies/4K": segments trimmed. Does not validate; see categoryProblem. */
export function normaliseCategory(name: string): string {
  return name
    .split('/')
    .map((s) => s.trim())
    .join('/');
}

/** Why `name` (already normalised) cannot be a category, in words saying what to do; null when it can. */
export function categoryProblem(name: string): string | null {
  if (name === '') return 'the category name is empty: type a name like "Movies" or "Movies/4K"';
  if (name.length > CATEGORY_LIMITS.maxCategoryLength) return `the category name is longer than ${CATEGORY_LIMITS.maxCategoryLength} characters: shorten it`;
  if (/[\u0000-\u001f\u007f\\]/.test(name)) return 'the category name contains a control character or a backslash: use "/" between levels';
  const segments = name.split('/');
  if (segments.length > CATEGORY_LIMITS.maxCategoryDepth) return `the category is nested more than ${CATEGORY_LIMITS.maxCategoryDepth} levels deep: flatten it`;
  if (segments.some((s) => s === '')) return `"${name}" has an empty level: remove the extra "/"`;
  if (segments.some((s) => s !== s.trim())) return `"${name}" has a level starting or ending with a space: trim it`;
  if (segments.some((s) => s === '.' || s === '..')) return `"${name}" has a "." or ".." level: name the levels`;
  return null;
}

/** "hd " -> "hd". Does not validate; see tagProblem. */
export function normaliseTag(tag: string): string {
  return tag.trim();
}

/** Why `tag` (already normalised) cannot be a tag; null when it can. */
export function tagProblem(tag: string): string | null {
  if (tag === '') return 'the tag is empty: type a word like "hd"';
  if (tag.length > CATEGORY_LIMITS.maxTagLength) return `the tag is longer than ${CATEGORY_LIMITS.maxTagLength} characters: shorten it`;
  if (/[\u0000-\u001f\u007f,]/.test(tag)) return `the tag "${tag.replace(/[\u0000-\u001f\u007f]/g, '?')}" contains a comma or a control character: use one tag per word`;
  return null;
}

/** Tags sorted and without repeats: the one order a torrent keeps them in. */
export function sortedTags(tags: Iterable<string>): string[] {
  return [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `tags` with `add` and without `remove`, sorted; the same array when nothing changes (row diffs compare by identity). */
export function changeTags(tags: string[], add: readonly string[], remove: readonly string[]): string[] {
  const out = new Set(tags);
  for (const t of add) out.add(t);
  for (const t of remove) out.delete(t);
  const next = sortedTags(out);
  return next.length === tags.length && next.every((t, i) => t === tags[i]) ? tags : next;
}

/** The category named exactly `name`, if the settings have it. */
export function findCategory(categories: readonly CategoryDef[], name: string): CategoryDef | undefined {
  return categories.find((c) => c.name === name);
}

/** The save path a torrent of `category` follows: that category's own, or null (no category, or none set). */
export function categorySavePath(categories: readonly CategoryDef[], category: string | null): string | null {
  return category === null ? null : (findCategory(categories, category)?.savePath ?? null);
}

/** Whether a torrent in `category` shows under the filter `filter` (itself or a subcategory of it). */
export function inCategory(category: string | null, filter: string): boolean {
  return category !== null && (category === filter || category.startsWith(`${filter}/`));
}

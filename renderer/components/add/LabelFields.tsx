/** The Add dialog's category picker (with "New category…") and tags field (issue 17). */
import { useId, useState, type ReactNode } from 'react';
import type { CategoryDef } from '../../../engine/api/types.js';
import { categoryProblem, categorySavePath, normaliseCategory, normaliseTag, tagProblem } from '../../../engine/api/categories.js';
import { useTessera } from '../../store/context.js';
import { parseTagField } from '../../lib/sidebar-filters.js';

/** What the fields hold: `category` '' for none; `newCategory` when "New category…" is chosen. */
export interface LabelChoice {
  category: string;
  creating: boolean;
  newCategory: string;
  tags: string;
}

export const NO_LABELS: LabelChoice = { category: '', creating: false, newCategory: '', tags: '' };

const NEW = '\u0000new';
const NO_CATEGORIES: readonly CategoryDef[] = [];

/**
 * The fields' state in an Add dialog. Choosing a category with a save path puts that folder in the
 * dialog's "Save to" (still editable: a folder typed there wins, as in the engine's add); choosing one
 * without puts back the default folder unless another was typed.
 */
export function useLabelChoice(folder: { savePath: string; setSavePath(path: string): void; defaultDir: string }): { categories: readonly CategoryDef[]; labels: LabelChoice; choose(next: LabelChoice): void } {
  const categories = useTessera((s) => s.settings?.categories ?? NO_CATEGORIES);
  const [labels, setLabels] = useState<LabelChoice>(NO_LABELS);
  const choose = (next: LabelChoice): void => {
    const before = categorySavePath(categories, labels.creating ? null : labels.category || null);
    const after = categorySavePath(categories, next.creating ? null : next.category || null);
    if (after !== before) folder.setSavePath(after ?? (folder.savePath.trim() === (before ?? '') ? folder.defaultDir : folder.savePath));
    setLabels(next);
  };
  return { categories, labels, choose };
}

/** The add command's fields for a valid choice. */
export function labelFieldsOf(chosen: { category?: string; tags?: string[] }): { category?: string; tags?: string[] } {
  return { ...(chosen.category ? { category: chosen.category } : {}), ...(chosen.tags ? { tags: chosen.tags } : {}) };
}

/** The add command's category and tags, or the problem to show. */
export function labelsOf(choice: LabelChoice): { ok: true; category?: string; tags?: string[] } | { ok: false; problem: string } {
  const category = choice.creating ? normaliseCategory(choice.newCategory) : choice.category;
  if (choice.creating) {
    const p = categoryProblem(category);
    if (p) return { ok: false, problem: `New category: ${p}` };
  }
  const tags = parseTagField(choice.tags).map(normaliseTag);
  for (const t of tags) {
    const p = tagProblem(t);
    if (p) return { ok: false, problem: `Tags: ${p}` };
  }
  return { ok: true, ...(category ? { category } : {}), ...(tags.length ? { tags } : {}) };
}

export function LabelFields(props: { categories: readonly CategoryDef[]; value: LabelChoice; onChange(value: LabelChoice): void }): ReactNode {
  const catId = useId();
  const newId = useId();
  const tagsId = useId();
  const v = props.value;
  return (
    <div className="add-labels">
      <div className="field">
        <label htmlFor={catId} className="field-label">Category</label>
        <select
          id={catId}
          name="category"
          value={v.creating ? NEW : v.category}
          onChange={(e) => props.onChange(e.target.value === NEW ? { ...v, creating: true } : { ...v, creating: false, category: e.target.value })}
        >
          <option value="">None</option>
          {props.categories.map((c) => (
            <option key={c.name} value={c.name}>{c.savePath ? `${c.name} (saves to ${c.savePath})` : c.name}</option>
          ))}
          <option value={NEW}>New category…</option>
        </select>
      </div>
      {v.creating ? (
        <div className="field">
          <label htmlFor={newId} className="field-label">New category name</label>
          <input id={newId} name="newCategory" value={v.newCategory} placeholder="Movies/4K" maxLength={200} spellCheck={false} onChange={(e) => props.onChange({ ...v, newCategory: e.target.value })} />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={tagsId} className="field-label">Tags</label>
        <input id={tagsId} name="tags" value={v.tags} placeholder="comma-separated, like hd, linux" spellCheck={false} onChange={(e) => props.onChange({ ...v, tags: e.target.value })} />
      </div>
    </div>
  );
}

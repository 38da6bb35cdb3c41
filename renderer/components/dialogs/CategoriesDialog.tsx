/**
 * The category manager (from the sidebar): add categories, give each an optional save path, remove them.
 * Saved as the settings' categories, so every client sees the change. The engine moves the data of a
 * category's torrents when its save path changes, and takes a removed category off its torrents.
 */
import { useId, useState, type ReactNode } from 'react';
import type { CategoryDef } from '../../../engine/api/types.js';
import { categoryProblem, normaliseCategory } from '../../../engine/api/categories.js';
import { savePathProblem } from '../../../engine/api/save-path.js';
import { useEngine, useStoreApi, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';

/** The rows as typed: an empty save path means none. */
interface Row {
  name: string;
  savePath: string;
}

/** What is wrong with the rows (the first problem), or null; names the category. */
export function categoryRowsProblem(rows: readonly Row[]): string | null {
  const seen = new Set<string>();
  for (const r of rows) {
    const name = normaliseCategory(r.name);
    const p = categoryProblem(name);
    if (p) return `Category: ${p}`;
    if (seen.has(name)) return `"${name}" is listed twice: keep one.`;
    seen.add(name);
    if (r.savePath.trim() !== '') {
      const sp = savePathProblem(r.savePath.trim());
      if (sp) return `${name}: ${sp}`;
    }
  }
  return null;
}

export function CategoriesDialog(props: { onClose(): void }): ReactNode {
  const engine = useEngine();
  const store = useStoreApi();
  const counts = useTessera((s) => s.labelCounts.byCategory);
  const [rows, setRows] = useState<Row[]>(() => (store.getState().settings?.categories ?? []).map((c) => ({ name: c.name, savePath: c.savePath ?? '' })));
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const noteId = useId();
  const newId = useId();

  const add = (): void => {
    const name = normaliseCategory(newName);
    const problem = categoryProblem(name) ?? (rows.some((r) => normaliseCategory(r.name) === name) ? `"${name}" is already a category.` : null);
    if (problem) {
      setError(problem);
      return;
    }
    setRows([...rows, { name, savePath: '' }]);
    setNewName('');
    setError(null);
  };

  const save = async (): Promise<void> => {
    if (newName.trim() !== '') {
      add();
      return;
    }
    const problem = categoryRowsProblem(rows);
    if (problem) {
      setError(problem);
      return;
    }
    const categories: CategoryDef[] = rows.map((r) => ({ name: normaliseCategory(r.name), savePath: r.savePath.trim() === '' ? null : r.savePath.trim() }));
    setBusy(true);
    try {
      await engine.request({ type: 'setSettings', settings: { categories } });
      props.onClose();
    } catch (e) {
      setError(`Could not save the categories: ${errorText(e)}`);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Categories"
      className="categories-dialog"
      describedBy={noteId}
      onClose={props.onClose}
      onSubmit={() => void save()}
      actions={
        <>
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>Save</button>
        </>
      }
    >
      <p id={noteId} className="muted">
        A torrent follows its category's save path. Changing a save path here moves the files of that category's torrents to the new folder. Removing a category takes it off its torrents; their files stay.
      </p>
      {rows.length === 0 ? <p className="muted">No categories yet.</p> : null}
      <ul className="category-rows">
        {rows.map((r, i) => (
          <li key={r.name} className="category-row">
            <span className="category-name">{r.name}</span>
            <span className="count" aria-label={`${counts.get(r.name) ?? 0} torrents`}>{counts.get(r.name) ?? 0}</span>
            <input
              aria-label={`Save path of ${r.name}`}
              placeholder="No save path"
              spellCheck={false}
              value={r.savePath}
              onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, savePath: e.target.value } : x)))}
            />
            <button type="button" className="danger" aria-label={`Remove ${r.name}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="category-add">
        <label htmlFor={newId} className="field-label">New category</label>
        <input
          id={newId}
          data-autofocus
          value={newName}
          placeholder="Movies/4K"
          spellCheck={false}
          maxLength={200}
          onChange={(e) => setNewName(e.target.value)}
        />
        <button type="button" onClick={add}>Add</button>
      </div>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}

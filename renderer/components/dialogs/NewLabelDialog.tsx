/** A new category or tag for the selected torrents (the context menu's "New category…" / "New tag…"). */
import { useId, useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { categoryProblem, normaliseCategory, normaliseTag, tagProblem } from '../../../engine/api/categories.js';
import { Dialog } from '../Dialog.js';
import { useLabelCommands } from '../label-commands.js';

export function NewLabelDialog(props: { what: 'category' | 'tag'; ids: TorrentId[]; onClose(): void }): ReactNode {
  const labels = useLabelCommands();
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const noteId = useId();
  const isCategory = props.what === 'category';
  const value = isCategory ? normaliseCategory(text) : normaliseTag(text);
  const problem = isCategory ? categoryProblem(value) : tagProblem(value);
  const showProblem = touched && problem !== null;

  const submit = async (): Promise<void> => {
    setTouched(true);
    if (problem || busy) return;
    setBusy(true);
    const ok = isCategory ? await labels.setCategory(value, props.ids) : await labels.addTag(value, props.ids);
    setBusy(false);
    if (ok) props.onClose();
  };

  return (
    <Dialog
      title={isCategory ? 'New category' : 'New tag'}
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>{isCategory ? 'Create and assign' : 'Add tag'}</button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={inputId} className="field-label">{isCategory ? 'Category name' : 'Tag'}</label>
        <input
          id={inputId}
          name={isCategory ? 'category' : 'tag'}
          data-autofocus
          value={text}
          spellCheck={false}
          maxLength={isCategory ? 200 : 64}
          aria-invalid={showProblem}
          aria-describedby={noteId}
          onChange={(e) => {
            setText(e.target.value);
            setTouched(true);
          }}
        />
        <span id={noteId} className={showProblem ? 'error-text field-error' : 'hint'} role={showProblem ? 'alert' : undefined}>
          {showProblem ? problem : isCategory ? 'Use "/" for levels, like Movies/4K. Give it a save path in Manage categories.' : 'One word or short phrase, no commas.'}
        </span>
      </div>
    </Dialog>
  );
}

/** A text field for one or more magnet links (or info hashes); they go on to the Add torrent dialog. */
import { useState, type ReactNode } from 'react';
import { magnetsFromText } from '../../lib/add-links.js';
import { useCommands } from '../commands.js';
import { Dialog } from '../Dialog.js';

export function MagnetDialog(props: { onClose(): void }): ReactNode {
  const commands = useCommands();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (): void => {
    const links = magnetsFromText(text);
    if (links.length === 0) {
      setError('No magnet link found. Paste a link starting with magnet:?xt=urn:btih: or a 40-character info hash.');
      return;
    }
    props.onClose();
    commands.addMagnets(links);
  };
  return (
    <Dialog
      title="Add magnet link"
      onClose={props.onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="primary">Continue</button>
        </>
      }
    >
      <label className="field">
        <span>Magnet links or info hashes, one per line</span>
        <textarea
          data-autofocus
          rows={4}
          value={text}
          aria-invalid={error !== null}
          aria-describedby={error ? 'magnet-error' : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              submit();
            }
          }}
        />
      </label>
      {error ? <p id="magnet-error" className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}

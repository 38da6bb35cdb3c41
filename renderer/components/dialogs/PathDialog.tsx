/** Web mode's "Open folder": the files live on the daemon's machine, so show the path and copy it. */
import { useState, type ReactNode } from 'react';
import { Dialog } from '../Dialog.js';

export function PathDialog(props: { paths: string[]; onClose(): void }): ReactNode {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (): void => {
    const text = props.paths.join('\n');
    if (!navigator.clipboard) {
      setCopied('The clipboard is not available here; select the path and copy it by hand.');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setCopied('Copied.'),
      () => setCopied('Could not copy; select the path and copy it by hand.'),
    );
  };
  return (
    <Dialog
      title="Download folder"
      onClose={props.onClose}
      onSubmit={props.onClose}
      actions={
        <>
          <button type="button" onClick={copy} data-autofocus>Copy path</button>
          <button type="submit" className="primary">Close</button>
        </>
      }
    >
      <p className="muted">The files are on the computer running the Tessera daemon{props.paths.length > 1 ? ', in these folders' : ', in this folder'}:</p>
      {props.paths.map((p) => (
        <input key={p} className="path" readOnly value={p} aria-label="Folder path" onFocus={(e) => e.target.select()} />
      ))}
      {copied ? <p role="status">{copied}</p> : null}
    </Dialog>
  );
}

/**
 * A folder on the engine's machine (save path, set location): typed, and checked by the engine as it is
 * typed (checkPath: absolute, exists or can be created, writable). The message names the folder and what
 * to do; `onCheck` tells the dialog whether it may go ahead.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { PathCheck } from '../../engine/api/types.js';
import { savePathProblem } from '../../engine/api/save-path.js';
import { useEngine } from '../store/context.js';
import { errorText } from './commands.js';

export type FolderStatus = { state: 'checking' } | { state: 'ok'; exists: boolean } | { state: 'bad'; message: string };

export function useFolderCheck(path: string): FolderStatus {
  const engine = useEngine();
  const [status, setStatus] = useState<FolderStatus>({ state: 'checking' });
  useEffect(() => {
    const formProblem = savePathProblem(path);
    if (formProblem) {
      setStatus({ state: 'bad', message: formProblem });
      return;
    }
    setStatus({ state: 'checking' });
    let live = true;
    const timer = setTimeout(() => {
      engine.request({ type: 'checkPath', path }).then(
        (r: PathCheck) => live && setStatus(r.ok ? { state: 'ok', exists: r.exists } : { state: 'bad', message: r.problem ?? `"${path}" cannot be used.` }),
        (e: unknown) => live && setStatus({ state: 'bad', message: `Could not check "${path}": ${errorText(e)}` }),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [engine, path]);
  return status;
}

export function FolderField(props: { label: string; name: string; value: string; onChange(value: string): void; status: FolderStatus; autoFocus?: boolean; placeholder?: string }): ReactNode {
  const noteId = useId();
  const inputId = useId();
  const { status } = props;
  const note =
    status.state === 'bad' ? status.message : status.state === 'checking' ? 'Checking the folder…' : status.exists ? 'The folder exists and is writable.' : 'The folder will be created.';
  return (
    <div className="field">
      <label htmlFor={inputId} className="field-label">{props.label}</label>
      <input
        id={inputId}
        name={props.name}
        data-autofocus={props.autoFocus || undefined}
        value={props.value}
        spellCheck={false}
        placeholder={props.placeholder}
        aria-invalid={status.state === 'bad'}
        aria-describedby={noteId}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <span id={noteId} className={status.state === 'bad' ? 'error-text field-error' : 'hint'} role={status.state === 'bad' ? 'alert' : undefined}>
        {note}
      </span>
    </div>
  );
}

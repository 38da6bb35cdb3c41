/**
 * The "download this" checkbox of a file or folder, the same in the Add dialog and the Files tab:
 * checked = downloaded, unchecked = skipped, mixed = a folder with both.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import type { CheckState } from '../lib/add-tree.js';

export function DownloadCheckbox(props: { state: CheckState; name: string; onChange(checked: boolean): void }): ReactNode {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.state === 'mixed';
  }, [props.state]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={`Download ${props.name}`}
      title={props.state === 'unchecked' ? 'Not downloaded: check to download' : 'Downloaded: uncheck to skip'}
      aria-checked={props.state === 'mixed' ? 'mixed' : props.state === 'checked'}
      checked={props.state === 'checked'}
      onChange={() => props.onChange(props.state !== 'checked')}
    />
  );
}

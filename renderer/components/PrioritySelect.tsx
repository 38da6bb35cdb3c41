/** The file priority picker of the Files tab and the Add dialog: the four priorities, "Mixed" for a folder whose files differ. */
import type { ReactNode } from 'react';
import type { FilePriority } from '../../engine/api/types.js';
import type { Priority } from '../lib/file-tree.js';

const PRIORITIES: readonly { value: FilePriority; label: string }[] = [
  { value: 'skip', label: 'Do not download' },
  { value: 'low', label: 'Low' },
  { value: 'normal', label: 'Normal' },
  { value: 'high', label: 'High' },
];

function asPriority(value: string): FilePriority | null {
  return PRIORITIES.find((p) => p.value === value)?.value ?? null;
}

/**
 * `value` null: an action picker ("Set priority…") that shows no current value, for a selection.
 */
export function PrioritySelect(props: { label: string; value: Priority | null; className?: string; onChange(p: FilePriority): void }): ReactNode {
  return (
    <select
      className={props.className}
      aria-label={props.label}
      value={props.value ?? ''}
      onChange={(e) => {
        const priority = asPriority(e.target.value);
        if (priority) props.onChange(priority);
      }}
    >
      {props.value === null ? (
        <option value="" disabled>
          Set priority…
        </option>
      ) : null}
      {props.value === 'mixed' ? (
        <option value="mixed" disabled>
          Mixed
        </option>
      ) : null}
      {PRIORITIES.map((p) => (
        <option key={p.value} value={p.value}>
          {p.label}
        </option>
      ))}
    </select>
  );
}

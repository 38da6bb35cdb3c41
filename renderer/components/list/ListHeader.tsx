/** The header row: one sort button per column, aria-sort on the sorted one. */
import type { ReactNode } from 'react';
import { useTessera } from '../../store/context.js';
import { COLUMNS } from './columns.js';

export function ListHeader(): ReactNode {
  const sort = useTessera((s) => s.sort);
  const setSort = useTessera((s) => s.setSort);
  return (
    <div role="rowgroup" className="list-head">
      <div role="row" aria-rowindex={1} className="row head">
        {COLUMNS.map((c) => {
          const sorted = sort.key === c.key;
          return (
            <div key={c.key} role="columnheader" aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : 'none'} className={c.align === 'end' ? 'num' : undefined}>
              <button type="button" onClick={() => setSort(c.key)} aria-label={`Sort by ${c.title.toLowerCase()}`} title={`Sort by ${c.title.toLowerCase()}`}>
                {c.label}
                <span className="sort-mark" aria-hidden="true">{sorted ? (sort.descending ? '▼' : '▲') : ''}</span>
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** State filters with live counts; then the category, tag and tracker filters (SidebarLabels.tsx). */
import type { ReactNode } from 'react';
import type { StateFilter } from '../store/store.js';
import { FILTER_LABELS, STATE_FILTERS } from '../lib/torrent-view.js';
import { useTessera } from '../store/context.js';
import { FeedsNav } from './feeds/FeedsNav.js';
import { showMainView, useMainView } from './feeds/main-view.js';
import { CategorySection, TagSection, TrackerSection } from './SidebarLabels.js';

function FilterItem({ filter }: { filter: StateFilter }): ReactNode {
  const count = useTessera((s) => s.counts[filter]);
  const showingTorrents = useMainView() === 'torrents';
  const active = useTessera((s) => s.filter === filter) && showingTorrents;
  const setFilter = useTessera((s) => s.setFilter);
  return (
    <li>
      <button type="button" className={`filter filter-${filter}`} aria-current={active ? 'true' : undefined} onClick={() => (setFilter(filter), showMainView('torrents'))}>
        <span className="filter-name">{FILTER_LABELS[filter]}</span> <span className="count">{count}</span>
      </button>
    </li>
  );
}

export function Sidebar(): ReactNode {
  return (
    <nav className="sidebar" aria-label="Filter by state">
      <h2 className="sidebar-title">Status</h2>
      <ul>
        {STATE_FILTERS.map((f) => (
          <FilterItem key={f} filter={f} />
        ))}
      </ul>
      <FeedsNav />
      <CategorySection />
      <TagSection />
      <TrackerSection />
    </nav>
  );
}

/**
 * The sidebar's Categories (a nested tree), Tags and Trackers (by host) sections, with live counts from the rows
 * (store.labelCounts, kept by view-sync.ts). Each item filters the list (with the state filter and the
 * search); torrent rows dragged onto a category or tag are put in it. "Manage…" opens the category manager.
 */
import { useState, type DragEvent, type ReactNode } from 'react';
import { useTessera } from '../store/context.js';
import { categoryTree, sameCategoryFilter, sameTagFilter, sameTrackerFilter, tagList, TORRENT_DRAG_TYPE, type CategoryFilter, type TagFilter, type TrackerFilter } from '../lib/sidebar-filters.js';
import { useLabelCommands } from './label-commands.js';

/** Drop handlers for torrent rows (TORRENT_DRAG_TYPE); `onIds` null: not a drop target. */
function useRowDrop(onIds: ((ids: string[]) => void) | null): { over: boolean; handlers: Record<string, (e: DragEvent) => void> } {
  const [over, setOver] = useState(false);
  if (!onIds) return { over: false, handlers: {} };
  const accepts = (e: DragEvent): boolean => e.dataTransfer.types.includes(TORRENT_DRAG_TYPE);
  return {
    over,
    handlers: {
      onDragEnter: (e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        setOver(true);
      },
      onDragOver: (e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
      },
      onDragLeave: () => setOver(false),
      onDrop: (e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        const ids = e.dataTransfer.getData(TORRENT_DRAG_TYPE).split('\n').filter((id) => /^[0-9a-f]{40}$/.test(id));
        if (ids.length > 0) onIds(ids);
      },
    },
  };
}

function LabelItem(props: { label: string; fullName: string; count: number; level?: number; active: boolean; onSelect(): void; onDropIds: ((ids: string[]) => void) | null; className: string; title?: string }): ReactNode {
  const drop = useRowDrop(props.onDropIds);
  return (
    <li>
      <button
        type="button"
        className={`filter ${props.className}${drop.over ? ' drop-over' : ''}`}
        style={props.level && props.level > 1 ? { paddingLeft: `calc(var(--space-3) + ${(props.level - 1) * 14}px)` } : undefined}
        aria-current={props.active ? 'true' : undefined}
        aria-label={`${props.fullName} ${props.count}`}
        title={props.title}
        onClick={props.onSelect}
        {...drop.handlers}
      >
        <span className="filter-name">{props.label}</span> <span className="count">{props.count}</span>
      </button>
    </li>
  );
}

export function CategorySection(): ReactNode {
  const counts = useTessera((s) => s.labelCounts);
  const defs = useTessera((s) => s.settings?.categories);
  const filter = useTessera((s) => s.categoryFilter);
  const setFilter = useTessera((s) => s.setCategoryFilter);
  const labels = useLabelCommands();
  const nodes = categoryTree(defs ?? [], counts.byCategory);
  const is = (f: CategoryFilter): boolean => sameCategoryFilter(filter, f);
  return (
    <section aria-labelledby="sidebar-categories">
      <div className="sidebar-head">
        <h2 className="sidebar-title" id="sidebar-categories">Categories</h2>
        <button type="button" className="link-button" aria-label="Manage categories" onClick={() => labels.manageCategories()}>
          Manage…
        </button>
      </div>
      <ul>
        <LabelItem className="category-all" label="All" fullName="All categories" count={counts.all} active={is({ kind: 'all' })} onSelect={() => setFilter({ kind: 'all' })} onDropIds={null} />
        <LabelItem className="category-none" label="Uncategorised" fullName="Uncategorised" count={counts.uncategorised} active={is({ kind: 'none' })} onSelect={() => setFilter({ kind: 'none' })} onDropIds={(ids) => void labels.setCategory(null, ids)} />
        {nodes.map((n) => (
          <LabelItem
            key={n.name}
            className="category"
            label={n.label}
            fullName={`Category ${n.name}`}
            level={n.level}
            count={n.count}
            title={n.savePath ? `${n.name}: saves to ${n.savePath}` : n.name}
            active={is({ kind: 'category', name: n.name })}
            onSelect={() => setFilter({ kind: 'category', name: n.name })}
            onDropIds={(ids) => void labels.setCategory(n.name, ids)}
          />
        ))}
      </ul>
    </section>
  );
}

export function TagSection(): ReactNode {
  const counts = useTessera((s) => s.labelCounts);
  const filter = useTessera((s) => s.tagFilter);
  const setFilter = useTessera((s) => s.setTagFilter);
  const labels = useLabelCommands();
  const is = (f: TagFilter): boolean => sameTagFilter(filter, f);
  return (
    <section aria-labelledby="sidebar-tags">
      <h2 className="sidebar-title" id="sidebar-tags">Tags</h2>
      <ul>
        <LabelItem className="tag-all" label="All" fullName="All tags" count={counts.all} active={is({ kind: 'all' })} onSelect={() => setFilter({ kind: 'all' })} onDropIds={null} />
        <LabelItem className="tag-none" label="Untagged" fullName="Untagged" count={counts.untagged} active={is({ kind: 'none' })} onSelect={() => setFilter({ kind: 'none' })} onDropIds={null} />
        {tagList(counts.byTag).map((t) => (
          <LabelItem
            key={t.name}
            className="tag"
            label={t.name}
            fullName={`Tag ${t.name}`}
            count={t.count}
            active={is({ kind: 'tag', name: t.name })}
            onSelect={() => setFilter({ kind: 'tag', name: t.name })}
            onDropIds={(ids) => void labels.addTag(t.name, ids)}
          />
        ))}
      </ul>
    </section>
  );
}

export function TrackerSection(): ReactNode {
  const counts = useTessera((s) => s.labelCounts);
  const filter = useTessera((s) => s.trackerFilter);
  const setFilter = useTessera((s) => s.setTrackerFilter);
  const is = (f: TrackerFilter): boolean => sameTrackerFilter(filter, f);
  return (
    <section aria-labelledby="sidebar-trackers">
      <h2 className="sidebar-title" id="sidebar-trackers">Trackers</h2>
      <ul>
        <LabelItem className="tracker-all" label="All" fullName="All trackers" count={counts.all} active={is({ kind: 'all' })} onSelect={() => setFilter({ kind: 'all' })} onDropIds={null} />
        <LabelItem className="tracker-none" label="Trackerless" fullName="Trackerless" count={counts.trackerless} active={is({ kind: 'none' })} onSelect={() => setFilter({ kind: 'none' })} onDropIds={null} />
        {tagList(counts.byTracker).map((t) => (
          <LabelItem
            key={t.name}
            className="tracker"
            label={t.name}
            fullName={`Tracker ${t.name}`}
            count={t.count}
            active={is({ kind: 'host', name: t.name })}
            onSelect={() => setFilter({ kind: 'host', name: t.name })}
            onDropIds={null}
          />
        ))}
      </ul>
    </section>
  );
}

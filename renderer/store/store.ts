/**
 * The renderer's state: one zustand store in slices. Engine events land through applyEvent, one set()
 * per event. Maps are replaced, never mutated, and unchanged rows keep their identity, so a component
 * that selects one row re-renders only when that row changed. High-rate data (piece map, speed history)
 * is read by canvases through store.subscribe, not through React renders.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  EngineEvent,
  FileInfo,
  GlobalStats,
  HostFixedSetting,
  Notice,
  PeerInfo,
  PieceMap,
  Settings,
  TorrentId,
  TorrentSummary,
  TrackerInfo,
} from '../../engine/api/types.js';
import { applyListDiff } from '../../engine/api/diff.js';
import type { ConnectionStatus } from '../api/transport.js';
import { SpeedHistory } from './speed-history.js';
import { DisplayRates } from '../lib/display-rates.js';
import type { ListChange } from '../lib/list-change.js';
import { createUiSlice, type UiInitial, type UiSlice } from './ui-slice.js';
import { clickSelect, moveCursor as moveCursorIn } from '../lib/selection.js';
import { samePieceMap } from '../lib/piece-map.js';
import type { FilterCounts } from '../lib/torrent-view.js';
import { ALL_CATEGORIES, ALL_TAGS, ALL_TRACKERS, NO_LABEL_COUNTS, type CategoryFilter, type LabelCounts, type TagFilter, type TrackerFilter } from '../lib/sidebar-filters.js';

export type StateFilter = 'all' | 'downloading' | 'seeding' | 'paused' | 'queued' | 'error';
export type SortKey =
  | 'queuePosition'
  | 'name'
  | 'totalBytes'
  | 'progress'
  | 'state'
  | 'downRate'
  | 'upRate'
  | 'eta'
  | 'ratio'
  | 'peers'
  | 'seeds'
  | 'addedAt';
export type DetailsTab = 'general' | 'files' | 'peers' | 'trackers' | 'pieces' | 'speed' | 'why';

export interface EngineSlice {
  connection: ConnectionStatus;
  torrents: ReadonlyMap<TorrentId, TorrentSummary>;
  global: GlobalStats | null;
  /** The engine's settings in effect, from the snapshot and every settings event after (never a copy taken once). */
  settings: Settings | null;
  /** Settings the host process fixes (the daemon's --peer-port, --no-dht, --no-lsd, --no-holepunch): shown, not editable. */
  hostFixed: readonly HostFixedSetting[];
  /** Whether the first snapshot has arrived (before it, the list is unknown rather than empty). */
  loaded: boolean;
  /** The rates to show (smoothed, 0 once stopped or complete), read as `displayRates.down(row, ratesAt)`; see lib/display-rates.ts. */
  displayRates: DisplayRates;
  /** The time of the latest batch: the shown rates are read at it, so a render is a function of the state. */
  ratesAt: number;
  /** What the latest batch did to `torrents` (null after a snapshot): views update from the rows it names. */
  listChange: ListChange | null;
}

export interface DetailsSlice {
  /** The torrent the details pane shows and the engine streams details for. */
  detailsId: TorrentId | null;
  peers: readonly PeerInfo[] | null;
  files: readonly FileInfo[] | null;
  trackers: readonly TrackerInfo[] | null;
  pieces: PieceMap | null;
  /** Session-wide rates. Mutated in place; `speedTick` changes when a sample is added. */
  sessionSpeed: SpeedHistory;
  /** Rates of the torrent in detailsId, restarted when it changes. */
  torrentSpeed: SpeedHistory;
  speedTick: number;
}

export interface ViewSlice {
  filter: StateFilter;
  search: string;
  sort: { key: SortKey; descending: boolean };
  selection: ReadonlySet<TorrentId>;
  /** The row a shift-click extends from. */
  anchor: TorrentId | null;
  /** The row with the keyboard cursor. */
  lead: TorrentId | null;
  detailsTab: DetailsTab;
  /** The filtered, searched, sorted ids the list shows; kept by view-sync.ts. */
  visibleIds: readonly TorrentId[];
  /** Torrents per sidebar filter; kept by view-sync.ts. */
  counts: FilterCounts;
  /** The sidebar's category and tag filters; they combine with the state filter and the search. */
  categoryFilter: CategoryFilter;
  tagFilter: TagFilter;
  trackerFilter: TrackerFilter;
  /** Torrents per category, tag and tracker host, from the rows; kept by view-sync.ts. */
  labelCounts: LabelCounts;
}

export interface NoticeSlice {
  /** Recent engine notices (completed, errors, metadata), newest last, capped. */
  notices: readonly Notice[];
  /** createTorrent's hashing progress by source path (the Create torrent dialog), from createProgress notices. */
  createProgress: ReadonlyMap<string, { hashedBytes: number; totalBytes: number }>;
}

export interface Actions {
  applyEvent(event: EngineEvent, now?: number): void;
  setConnection(status: ConnectionStatus): void;
  setFilter(filter: StateFilter): void;
  setSearch(search: string): void;
  setSort(key: SortKey): void;
  /** Selects rows: 'only' replaces the selection, 'toggle' flips one (ctrl/cmd), 'range' extends from the anchor over `visible` (shift). */
  select(id: TorrentId, mode: 'only' | 'toggle' | 'range', visible: readonly TorrentId[]): void;
  setSelection(ids: Iterable<TorrentId>): void;
  /** Arrow keys: moves the cursor by `delta` visible rows (±Infinity for Home/End). */
  moveCursor(delta: number, how: { extend: boolean; keepSelection: boolean }): void;
  selectAllVisible(): void;
  setView(visibleIds: readonly TorrentId[], counts: FilterCounts): void;
  setCategoryFilter(filter: CategoryFilter): void;
  setTagFilter(filter: TagFilter): void;
  setTrackerFilter(filter: TrackerFilter): void;
  setLabelCounts(counts: LabelCounts): void;
  showDetails(id: TorrentId | null): void;
  setDetailsTab(tab: DetailsTab): void;
}

export type TesseraState = EngineSlice & DetailsSlice & ViewSlice & NoticeSlice & UiSlice & Actions;
export type TesseraStore = StoreApi<TesseraState>;

const MAX_NOTICES = 50;

export function createTesseraStore(initial: UiInitial & { sort?: TesseraState['sort'] | null } = {}): TesseraStore {
  // The rows keep the engine's rates; the shown ones are read from here (see lib/display-rates.ts).
  const rates = new DisplayRates();
  return createStore<TesseraState>()((set, get) => ({
    connection: { state: 'connecting' },
    torrents: new Map(),
    global: null,
    settings: null,
    hostFixed: [],
    loaded: false,
    displayRates: rates,
    ratesAt: 0,
    listChange: null,

    detailsId: null,
    peers: null,
    files: null,
    trackers: null,
    pieces: null,
    sessionSpeed: new SpeedHistory(),
    torrentSpeed: new SpeedHistory(),
    speedTick: 0,

    filter: 'all',
    search: '',
    sort: initial.sort ?? { key: 'queuePosition', descending: false },
    selection: new Set(),
    anchor: null,
    lead: null,
    detailsTab: 'general',
    visibleIds: [],
    counts: { all: 0, downloading: 0, seeding: 0, paused: 0, queued: 0, error: 0 },
    categoryFilter: ALL_CATEGORIES,
    tagFilter: ALL_TAGS,
    trackerFilter: ALL_TRACKERS,
    labelCounts: NO_LABEL_COUNTS,

    ...createUiSlice(set, get, initial),

    notices: [],
    createProgress: new Map(),

    applyEvent(event, now = Date.now()) {
      const s = get();
      if (event.kind === 'snapshot') {
        const torrents = new Map(event.torrents.map((t) => [t.id, t] as const));
        rates.reset(torrents, now);
        s.sessionSpeed.push(now, event.global.downRate, event.global.upRate);
        set({
          torrents,
          global: event.global,
          settings: event.settings,
          hostFixed: event.hostFixed ?? [],
          loaded: true,
          selection: keepExisting(s.selection, torrents),
          ...(s.detailsId !== null && !torrents.has(s.detailsId) ? clearedDetails() : {}),
          speedTick: s.speedTick + 1,
          ratesAt: now,
          listChange: null,
        });
        return;
      }
      if (event.kind === 'settings') {
        set({ settings: event.settings, hostFixed: event.hostFixed });
        return;
      }
      const listChanged = event.added.length > 0 || event.changed.length > 0 || event.removed.length > 0;
      const torrents = listChanged ? applyListDiff(s.torrents, event) : s.torrents;
      rates.apply(torrents, event, now);
      s.sessionSpeed.push(now, event.global.downRate, event.global.upRate);
      const focused = s.detailsId !== null ? torrents.get(s.detailsId) : undefined;
      if (focused) s.torrentSpeed.push(now, rates.down(focused, now), rates.up(focused, now));
      const patch: Partial<TesseraState> = { global: event.global, speedTick: s.speedTick + 1, ratesAt: now };
      if (listChanged) {
        patch.torrents = torrents;
        patch.listChange = { from: s.torrents, to: torrents, added: event.added, changed: event.changed, removed: event.removed };
      }
      if (event.removed.length > 0) {
        patch.selection = keepExisting(s.selection, torrents);
        if (s.detailsId !== null && !torrents.has(s.detailsId)) Object.assign(patch, clearedDetails());
      }
      const d = event.details;
      if (d !== null && d.id === s.detailsId) {
        if (d.peers !== undefined) patch.peers = d.peers;
        if (d.files !== undefined) patch.files = d.files;
        if (d.trackers !== undefined) patch.trackers = d.trackers;
        // A resend that draws the same keeps the old map, so the piece map does not redraw for nothing.
        if (d.pieces !== undefined && !samePieceMap(s.pieces, d.pieces)) patch.pieces = d.pieces;
      }
      if (event.notices.length > 0) {
        // Progress is state, not news: kept by path, out of the capped list the toasts read.
        const news = event.notices.filter((n) => n.type !== 'createProgress');
        if (news.length > 0) patch.notices = [...s.notices, ...news].slice(-MAX_NOTICES);
        if (news.length < event.notices.length) {
          const progress = new Map(s.createProgress);
          for (const n of event.notices) if (n.type === 'createProgress') progress.set(n.path, { hashedBytes: n.hashedBytes, totalBytes: n.totalBytes });
          patch.createProgress = progress;
        }
      }
      set(patch);
    },

    setConnection(connection) {
      set({ connection });
    },

    setFilter(filter) {
      set({ filter });
    },

    setSearch(search) {
      set({ search });
    },

    setSort(key) {
      const { sort } = get();
      set({ sort: sort.key === key ? { key, descending: !sort.descending } : { key, descending: false } });
    },

    select(id, mode, visible) {
      const s = get();
      const next = clickSelect({ selected: s.selection, anchor: s.anchor, lead: s.lead }, id, mode, visible);
      set({ selection: next.selected, anchor: next.anchor, lead: next.lead });
    },

    setSelection(ids) {
      set({ selection: new Set(ids) });
    },

    moveCursor(delta, how) {
      const s = get();
      const next = moveCursorIn({ selected: s.selection, anchor: s.anchor, lead: s.lead }, delta, s.visibleIds, how);
      set({ selection: next.selected, anchor: next.anchor, lead: next.lead });
    },

    selectAllVisible() {
      set({ selection: new Set(get().visibleIds) });
    },

    setView(visibleIds, counts) {
      const s = get();
      const patch: Partial<TesseraState> = {};
      if (visibleIds !== s.visibleIds) patch.visibleIds = visibleIds;
      if (counts !== s.counts) patch.counts = counts;
      if (patch.visibleIds !== undefined || patch.counts !== undefined) set(patch);
    },

    setCategoryFilter(categoryFilter) {
      set({ categoryFilter });
    },

    setTagFilter(tagFilter) {
      set({ tagFilter });
    },

    setTrackerFilter(trackerFilter) {
      set({ trackerFilter });
    },

    setLabelCounts(labelCounts) {
      if (labelCounts !== get().labelCounts) set({ labelCounts });
    },

    showDetails(id) {
      if (id === get().detailsId) return;
      get().torrentSpeed.clear();
      set({ ...clearedDetails(), detailsId: id, speedTick: get().speedTick + 1 });
    },

    setDetailsTab(detailsTab) {
      set({ detailsTab });
    },
  }));
}

function clearedDetails(): Pick<DetailsSlice, 'detailsId' | 'peers' | 'files' | 'trackers' | 'pieces'> {
  return { detailsId: null, peers: null, files: null, trackers: null, pieces: null };
}

function keepExisting(selection: ReadonlySet<TorrentId>, torrents: ReadonlyMap<TorrentId, TorrentSummary>): ReadonlySet<TorrentId> {
  for (const id of selection) if (!torrents.has(id)) return new Set([...selection].filter((x) => torrents.has(x)));
  return selection;
}

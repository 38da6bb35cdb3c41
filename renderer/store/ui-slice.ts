/**
 * UI state that is not the engine's: which dialog is open, toasts, torrents waiting for the Add dialog,
 * whether the details pane is collapsed, and the list's column layout. Part of the one store (see store.ts).
 */
import type { AddSource, TorrentId } from '../../engine/api/types.js';
import { DEFAULT_LIST_LAYOUT, type ListLayout } from '../lib/list-layout.js';

export type DialogState =
  | { kind: 'remove'; ids: TorrentId[]; deleteData: boolean }
  | { kind: 'magnet' }
  | { kind: 'limits'; ids: TorrentId[] }
  | { kind: 'settings' }
  | { kind: 'location'; ids: TorrentId[] }
  | { kind: 'recheck'; ids: TorrentId[] }
  /** Resume of a torrent its seeding goal paused: raise the goal or seed without one. */
  | { kind: 'goal'; id: TorrentId }
  | { kind: 'create' }
  | { kind: 'trackers'; id: TorrentId; tiers: string[][] }
  /** A new category or tag for these torrents (the context menu's "New…"). */
  | { kind: 'newLabel'; what: 'category' | 'tag'; ids: TorrentId[] }
  /** The category manager: add, set save paths, remove. */
  | { kind: 'categories' }
  /** Web mode: the files are on the daemon's machine, so "open folder" shows the path to copy. */
  | { kind: 'path'; paths: string[] }
  /** The built-in player on one file of a torrent; file null: the torrent's main media file (see lib/media.ts). */
  | { kind: 'player'; id: TorrentId; file: number | null };

export type ToastTone = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  tone: ToastTone;
  text: string;
}

/** Something to add, waiting for (or shown in) the Add torrent dialog. */
export interface AddRequest {
  key: number;
  source: AddSource;
  /** The file name or the magnet's dn, shown until the engine tells more. */
  label: string;
}

export interface UiSlice {
  dialog: DialogState | null;
  toasts: readonly Toast[];
  addQueue: readonly AddRequest[];
  detailsCollapsed: boolean;
  openDialog(dialog: DialogState): void;
  closeDialog(): void;
  toast(tone: ToastTone, text: string): number;
  dismissToast(id: number): void;
  /** Queues sources for the Add dialog; the same magnet or file twice in a row is queued once. */
  queueAdd(requests: readonly Omit<AddRequest, 'key'>[]): void;
  finishAdd(key: number): void;
  /** Takes several requests off the queue at once (the batch dialog's Add all, Cancel all). */
  finishAdds(keys: Iterable<number>): void;
  /**
   * Whether the queued requests are shown one Add dialog at a time rather than as one batch dialog
   * (the batch dialog's "One by one"). Ends when the queue is empty.
   */
  addOneByOne: boolean;
  setAddOneByOne(oneByOne: boolean): void;
  setDetailsCollapsed(collapsed: boolean): void;
  /** Column widths and hidden columns (see lib/list-layout.ts). */
  listLayout: ListLayout;
  setListLayout(layout: ListLayout): void;
}

export const MAX_TOASTS = 5;

type Set = (partial: Partial<UiSlice>) => void;
type Get = () => UiSlice;

export interface UiInitial {
  listLayout?: ListLayout;
}

export function createUiSlice(set: Set, get: Get, initial: UiInitial = {}): UiSlice {
  let nextToast = 1;
  let nextAdd = 1;
  return {
    dialog: null,
    toasts: [],
    addQueue: [],
    addOneByOne: false,
    detailsCollapsed: false,
    listLayout: initial.listLayout ?? DEFAULT_LIST_LAYOUT,

    openDialog(dialog) {
      set({ dialog });
    },

    closeDialog() {
      set({ dialog: null });
    },

    toast(tone, text) {
      const id = nextToast++;
      set({ toasts: [...get().toasts, { id, tone, text }].slice(-MAX_TOASTS) });
      return id;
    },

    dismissToast(id) {
      const toasts = get().toasts;
      if (toasts.some((t) => t.id === id)) set({ toasts: toasts.filter((t) => t.id !== id) });
    },

    queueAdd(requests) {
      const queue = [...get().addQueue];
      for (const r of requests) {
        if (queue.some((q) => sameSource(q.source, r.source))) continue;
        queue.push({ ...r, key: nextAdd++ });
      }
      if (queue.length !== get().addQueue.length) set({ addQueue: queue });
    },

    finishAdd(key) {
      get().finishAdds([key]);
    },

    finishAdds(keys) {
      const done = new Set(keys);
      const addQueue = get().addQueue.filter((r) => !done.has(r.key));
      set(addQueue.length === 0 ? { addQueue, addOneByOne: false } : { addQueue });
    },

    setAddOneByOne(addOneByOne) {
      set({ addOneByOne });
    },

    setDetailsCollapsed(detailsCollapsed) {
      set({ detailsCollapsed });
    },

    setListLayout(listLayout) {
      if (listLayout !== get().listLayout) set({ listLayout });
    },
  };
}

function sameSource(a: AddSource, b: AddSource): boolean {
  if (a.kind === 'magnet' && b.kind === 'magnet') return a.uri === b.uri;
  if (a.kind === 'torrent' && b.kind === 'torrent') {
    if (a.data.length !== b.data.length) return false;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
    return true;
  }
  return false;
}

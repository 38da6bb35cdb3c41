/**
 * Window-level behaviour: keyboard shortcuts, drag-and-drop and paste of torrents and magnet links,
 * open requests from the Electron shell, toasts for engine notices, and the colour theme.
 */
import { useEffect, useState } from 'react';
import { magnetLabel, magnetsFromText, magnetsFromTransfer } from '../lib/add-links.js';
import { isInDialog, isMod, isTextTarget } from '../lib/dom.js';
import { applyStoredTheme, DARK_SCHEME_QUERY } from '../lib/theme.js';
import { useStoreApi } from '../store/context.js';
import type { TesseraState, TesseraStore } from '../store/store.js';
import type { AddRequest } from '../store/ui-slice.js';
import { overallProgress } from '../lib/overall-progress.js';
import { useCommands, type TorrentCommands } from './commands.js';
import { SEARCH_INPUT_ID } from './Toolbar.js';

/** What a key press does, or null. Exported for tests and the report of shortcuts. */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): string | null {
  const mod = isMod(e);
  if (e.altKey) return null;
  if (mod && e.key.toLowerCase() === 'f') return 'search';
  if (mod && e.key === ',') return 'settings';
  if (mod && e.shiftKey && e.key.toLowerCase() === 'o') return 'addMagnet';
  if (mod && !e.shiftKey && e.key.toLowerCase() === 'o') return 'addFile';
  if (mod && e.key.toLowerCase() === 'a' && !e.shiftKey) return 'selectAll';
  if (mod && !e.shiftKey && e.key.toLowerCase() === 's') return 'resume';
  if (mod && !e.shiftKey && e.key.toLowerCase() === 'p') return 'pause';
  if (mod && !e.shiftKey && e.key.toLowerCase() === 'l') return 'limits';
  if (mod && e.shiftKey && e.key.toLowerCase() === 'c') return 'copyMagnet';
  if (mod && e.key === 'ArrowUp') return e.shiftKey ? 'moveTop' : 'moveUp';
  if (mod && e.key === 'ArrowDown') return e.shiftKey ? 'moveBottom' : 'moveDown';
  if (!mod && e.key === 'Delete') return e.shiftKey ? 'removeWithData' : 'remove';
  return null;
}

/** Shortcuts that act on torrents or the list, and so must not fire while typing in a field. */
const LIST_SHORTCUTS = new Set(['selectAll', 'resume', 'pause', 'limits', 'copyMagnet', 'moveTop', 'moveUp', 'moveDown', 'moveBottom', 'remove', 'removeWithData']);

function run(action: string, commands: TorrentCommands, store: TesseraStore): void {
  const s = store.getState();
  switch (action) {
    case 'search': {
      const input = document.getElementById(SEARCH_INPUT_ID);
      if (input instanceof HTMLInputElement) {
        input.focus();
        input.select();
      }
      return;
    }
    case 'settings':
      return s.openDialog({ kind: 'settings' });
    case 'addMagnet':
      return s.openDialog({ kind: 'magnet' });
    case 'addFile':
      return commands.pickTorrentFiles();
    case 'selectAll':
      return s.selectAllVisible();
    case 'resume':
      return commands.resume();
    case 'pause':
      return commands.pause();
    case 'limits':
      return commands.askLimits();
    case 'copyMagnet':
      return void commands.copyMagnet();
    case 'moveTop':
      return commands.queueMove('top');
    case 'moveUp':
      return commands.queueMove('up');
    case 'moveDown':
      return commands.queueMove('down');
    case 'moveBottom':
      return commands.queueMove('bottom');
    case 'remove':
      return commands.askRemove(false);
    case 'removeWithData':
      return commands.askRemove(true);
  }
}

export function useShortcuts(): void {
  const commands = useCommands();
  const store = useStoreApi();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || isInDialog(e.target)) return;
      const s = store.getState();
      if (s.dialog !== null || s.addQueue.length > 0) return;
      const action = shortcutFor(e);
      if (action === null) return;
      if (LIST_SHORTCUTS.has(action) && isTextTarget(e.target)) return;
      e.preventDefault();
      run(action, commands, store);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [commands, store]);
}

function hasAddable(dt: DataTransfer | null): boolean {
  if (!dt) return false;
  return dt.types.includes('Files') || dt.types.includes('text/uri-list') || dt.types.includes('text/plain');
}

/** Drops anywhere on the window and Ctrl+V outside text fields. Returns whether a drag is over the window. */
export function useDropAndPaste(): boolean {
  const commands = useCommands();
  const store = useStoreApi();
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent): void => {
      if (!hasAddable(e.dataTransfer)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent): void => {
      if (!hasAddable(e.dataTransfer)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (): void => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent): void => {
      depth = 0;
      setDragging(false);
      const dt = e.dataTransfer;
      if (!dt) return;
      e.preventDefault();
      const files = [...dt.files];
      if (files.length > 0) {
        void commands.addFiles(files);
        return;
      }
      const links = magnetsFromTransfer((type) => dt.getData(type));
      if (links.length > 0) commands.addMagnets(links);
      else store.getState().toast('error', 'Nothing to add there. Drop .torrent files or magnet links.');
    };
    const paste = (e: ClipboardEvent): void => {
      if (isTextTarget(e.target) || isInDialog(e.target) || !e.clipboardData) return;
      const files = [...e.clipboardData.files];
      if (files.length > 0) {
        e.preventDefault();
        void commands.addFiles(files);
        return;
      }
      const links = magnetsFromText(e.clipboardData.getData('text/plain'));
      if (links.length === 0) return;
      e.preventDefault();
      commands.addMagnets(links);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    window.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      window.removeEventListener('paste', paste);
    };
  }, [commands, store]);
  return dragging;
}

/** How long requests from the OS are gathered into one batch (each new one extends the wait). */
const OPEN_REQUEST_GATHER_MS = 200;

/** Files and links the OS asked the desktop app to open; main queues them until ready() is called. */
export function useOpenRequests(): void {
  const store = useStoreApi();
  useEffect(() => {
    const bridge = window.tessera;
    if (!bridge) return;
    // The OS hands over several files opened together one request at a time: gather those that arrive
    // close together, so they open one batch dialog instead of a dialog each.
    let pending: Omit<AddRequest, 'key'>[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = (): void => {
      timer = null;
      const batch = pending;
      pending = [];
      if (batch.length > 0) store.getState().queueAdd(batch);
    };
    const off = bridge.onOpenRequest((r) => {
      if (r.kind === 'torrent') pending.push({ source: { kind: 'torrent', data: r.data }, label: r.name.replace(/\.torrent$/i, '') });
      else {
        const links = magnetsFromText(r.uri);
        if (links.length > 0) pending.push(...links.map((uri) => ({ source: { kind: 'magnet' as const, uri }, label: magnetLabel(uri) })));
        else store.getState().toast('error', 'The link the system passed on is not a usable magnet link.');
      }
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(flush, OPEN_REQUEST_GATHER_MS);
    });
    bridge.ready();
    return () => {
      off();
      if (timer !== null) clearTimeout(timer);
      flush();
    };
  }, [store]);
}

/** The taskbar/dock progress in the desktop app, sent only when the rounded value changes. */
export function useTaskbarProgress(): void {
  const store = useStoreApi();
  useEffect(() => {
    const bridge = window.tessera;
    if (!bridge) return;
    let last: number | null | undefined;
    const update = (torrents: TesseraState['torrents']): void => {
      const p = overallProgress(torrents.values());
      if (p === last) return;
      last = p;
      bridge.setProgress(p);
    };
    update(store.getState().torrents);
    return store.subscribe((s, prev) => {
      if (s.torrents !== prev.torrents) update(s.torrents);
    });
  }, [store]);
}

/** Toasts for completed downloads, torrent errors and watch folders (the Electron shell adds native notifications). */
export function useNoticeToasts(): void {
  const store = useStoreApi();
  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if (s.notices === prev.notices) return;
        const fresh = s.notices.slice(newSince(prev.notices, s.notices));
        for (const n of fresh) {
          if (n.type === 'completed') s.toast('success', `Download complete: ${n.name}`);
          else if (n.type === 'error') s.toast('error', `${n.name}: ${n.message}`);
          else if (n.type === 'rssAdded') s.toast('info', `RSS: added ${n.name}${n.ruleName ? ` (rule “${n.ruleName}”)` : ''}`);
          else if (n.type === 'watchFolder') s.toast(n.outcome === 'invalid' ? 'error' : 'info', n.message);
        }
      }),
    [store],
  );
}

/** The index in `next` of the first notice not in `prev` (the list is capped, so match by identity). */
function newSince(prev: readonly unknown[], next: readonly unknown[]): number {
  if (prev.length === 0) return 0;
  const last = prev[prev.length - 1];
  const i = next.lastIndexOf(last);
  return i < 0 ? 0 : i + 1;
}

export function useTheme(): void {
  useEffect(() => {
    applyStoredTheme();
    const onStorage = (e: StorageEvent): void => {
      if (e.key === 'tessera.theme') applyStoredTheme();
    };
    const scheme = window.matchMedia(DARK_SCHEME_QUERY);
    window.addEventListener('storage', onStorage);
    scheme.addEventListener('change', applyStoredTheme);
    return () => {
      window.removeEventListener('storage', onStorage);
      scheme.removeEventListener('change', applyStoredTheme);
    };
  }, []);
}

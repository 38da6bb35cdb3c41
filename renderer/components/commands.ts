/**
 * What the toolbar, the context menu and the shortcuts do. Each acts on the given ids or the current
 * selection (in list order), sends one engine command, and reports a failure as a toast that says what
 * failed; the engine's message already says why.
 */
import { useMemo } from 'react';
import type { QueueMove, TorrentId } from '../../engine/api/types.js';
import { LIMITS } from '../../engine/api/validate.js';
import type { EngineClient } from '../api/engine-client.js';
import { isTorrentFileName, magnetLabel } from '../lib/add-links.js';
import { selectedInOrder } from '../lib/selection.js';
import { useEngine, useStoreApi } from '../store/context.js';
import type { TesseraStore } from '../store/store.js';

export interface TorrentCommands {
  selected(): TorrentId[];
  pause(ids?: TorrentId[]): void;
  resume(ids?: TorrentId[]): void;
  /** Turns force start on, or off when every target already has it. */
  toggleForceStart(ids?: TorrentId[]): void;
  recheck(ids?: TorrentId[]): void;
  /** Asks first (a recheck reads every file again). */
  askRecheck(ids?: TorrentId[]): void;
  askLocation(ids?: TorrentId[]): void;
  /** Turns the option on, or off when every target already has it. */
  toggleOption(option: 'sequential' | 'firstLastPiecesFirst', ids?: TorrentId[]): void;
  reannounce(ids?: TorrentId[]): void;
  copyInfoHash(ids?: TorrentId[]): Promise<void>;
  /** Whether "open folder" can work here: only the desktop app can open a folder (the browser shows the path). */
  readonly canOpenFolder: boolean;
  queueMove(to: QueueMove, ids?: TorrentId[]): void;
  askRemove(deleteData?: boolean, ids?: TorrentId[]): void;
  remove(ids: TorrentId[], deleteData: boolean): Promise<boolean>;
  openFolder(ids?: TorrentId[]): void;
  copyMagnet(ids?: TorrentId[]): Promise<void>;
  askLimits(ids?: TorrentId[]): void;
  openDetails(id: TorrentId): void;
  pickTorrentFiles(): void;
  addFiles(files: readonly File[]): Promise<void>;
  addMagnets(uris: readonly string[]): void;
}

type Client = Pick<EngineClient, 'request'>;

export const QUEUE_MOVE_LABELS: Readonly<Record<QueueMove, string>> = {
  up: 'Move up',
  down: 'Move down',
  top: 'Move to top',
  bottom: 'Move to bottom',
};

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createCommands(client: Client, store: TesseraStore, env: { bridge: Window['tessera']; clipboard: Clipboard | null }): TorrentCommands {
  const state = () => store.getState();
  const targets = (ids?: TorrentId[]): TorrentId[] => ids ?? selectedInOrder(state().visibleIds, state().selection);
  const fail = (what: string) => (e: unknown) => {
    state().toast('error', `${what}: ${errorText(e)}`);
  };
  const plural = (ids: TorrentId[]) => (ids.length === 1 ? (state().torrents.get(ids[0])?.name ?? '1 torrent') : `${ids.length} torrents`);

  const cmds: TorrentCommands = {
    selected: () => targets(),

    pause(ids) {
      const t = targets(ids);
      if (t.length) client.request({ type: 'pause', ids: t }).catch(fail(`Could not pause ${plural(t)}`));
    },

    resume(ids) {
      const t = targets(ids);
      // A torrent its seeding goal paused would pause again at once: ask to raise or ignore the goal.
      const byGoal = t.filter((id) => state().torrents.get(id)?.goalReached != null);
      const rest = t.filter((id) => !byGoal.includes(id));
      if (rest.length) client.request({ type: 'resume', ids: rest }).catch(fail(`Could not resume ${plural(rest)}`));
      if (byGoal.length === 1) state().openDialog({ kind: 'goal', id: byGoal[0] });
      else if (byGoal.length > 1) state().toast('info', `${byGoal.length} torrents reached their seeding goal; resume them one at a time to raise the goal or seed without one.`);
    },

    toggleForceStart(ids) {
      const t = targets(ids);
      if (!t.length) return;
      const enabled = !t.every((id) => state().torrents.get(id)?.forceStart === true);
      client.request({ type: 'forceStart', ids: t, enabled }).catch(fail(`Could not change force start of ${plural(t)}`));
    },

    recheck(ids) {
      const t = targets(ids);
      if (t.length) client.request({ type: 'recheck', ids: t }).catch(fail(`Could not recheck ${plural(t)}`));
    },

    askRecheck(ids) {
      const t = targets(ids);
      if (t.length) state().openDialog({ kind: 'recheck', ids: t });
    },

    askLocation(ids) {
      const t = targets(ids);
      if (t.length) state().openDialog({ kind: 'location', ids: t });
    },

    toggleOption(option, ids) {
      const t = targets(ids);
      if (!t.length) return;
      const enabled = !t.every((id) => state().torrents.get(id)?.[option] === true);
      const what = option === 'sequential' ? 'sequential download' : 'first and last pieces first';
      Promise.all(t.map((id) => client.request({ type: 'setTorrentOptions', id, options: { [option]: enabled } }))).catch(fail(`Could not change ${what} of ${plural(t)}`));
    },

    reannounce(ids) {
      const t = targets(ids);
      if (t.length) client.request({ type: 'reannounce', ids: t }).then(() => state().toast('info', `Announcing ${plural(t)} to its trackers now`), fail(`Could not announce ${plural(t)}`));
    },

    async copyInfoHash(ids) {
      const t = targets(ids);
      if (!t.length) return;
      try {
        if (!env.clipboard) throw new Error('the clipboard is not available here (web mode needs https or localhost)');
        await env.clipboard.writeText(t.join('\n'));
        state().toast('success', t.length === 1 ? 'Info hash copied' : `${t.length} info hashes copied`);
      } catch (e) {
        fail('Could not copy the info hash')(e);
      }
    },

    canOpenFolder: env.bridge !== undefined,

    queueMove(to, ids) {
      const t = targets(ids);
      if (t.length) client.request({ type: 'queueMove', ids: t, to }).catch(fail(`Could not move ${plural(t)} in the queue`));
    },

    askRemove(deleteData = false, ids) {
      const t = targets(ids);
      if (t.length) state().openDialog({ kind: 'remove', ids: t, deleteData });
    },

    async remove(ids, deleteData) {
      try {
        await client.request({ type: 'remove', ids, deleteData });
        return true;
      } catch (e) {
        fail(`Could not remove ${plural(ids)}`)(e);
        return false;
      }
    },

    openFolder(ids) {
      const t = targets(ids);
      const paths = [...new Set(t.map((id) => state().torrents.get(id)?.savePath).filter((p): p is string => !!p))];
      if (paths.length === 0) return;
      if (env.bridge) for (const p of paths.slice(0, 5)) env.bridge.openPath(p);
      else state().openDialog({ kind: 'path', paths });
    },

    async copyMagnet(ids) {
      const t = targets(ids);
      if (!t.length) return;
      try {
        const infos = await Promise.all(t.map((id) => client.request({ type: 'getInfo', id })));
        const text = infos.map((i) => i.magnetUri).join('\n');
        if (!env.clipboard) throw new Error('the clipboard is not available here (web mode needs https or localhost)');
        await env.clipboard.writeText(text);
        state().toast('success', t.length === 1 ? 'Magnet link copied' : `${t.length} magnet links copied`);
      } catch (e) {
        fail('Could not copy the magnet link')(e);
      }
    },

    askLimits(ids) {
      const t = targets(ids);
      if (t.length) state().openDialog({ kind: 'limits', ids: t });
    },

    openDetails(id) {
      const s = state();
      s.showDetails(id);
      if (s.detailsCollapsed) s.setDetailsCollapsed(false);
    },

    pickTorrentFiles() {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      input.accept = '.torrent,application/x-bittorrent';
      input.addEventListener('change', () => {
        if (input.files) void cmds.addFiles([...input.files]);
      });
      input.click();
    },

    async addFiles(files) {
      const requests = [];
      for (const f of files) {
        if (!isTorrentFileName(f.name) && f.type !== 'application/x-bittorrent') {
          state().toast('error', `${f.name} is not a .torrent file; drop .torrent files or magnet links.`);
          continue;
        }
        if (f.size > LIMITS.maxTorrentBytes) {
          state().toast('error', `${f.name} is larger than ${LIMITS.maxTorrentBytes / 1024 / 1024} MiB, too large for a .torrent file.`);
          continue;
        }
        try {
          requests.push({ source: { kind: 'torrent' as const, data: new Uint8Array(await f.arrayBuffer()) }, label: f.name.replace(/\.torrent$/i, '') });
        } catch (e) {
          fail(`Could not read ${f.name}`)(e);
        }
      }
      if (requests.length) state().queueAdd(requests);
    },

    addMagnets(uris) {
      if (uris.length) state().queueAdd(uris.map((uri) => ({ source: { kind: 'magnet' as const, uri }, label: magnetLabel(uri) })));
    },
  };
  return cmds;
}

export function useCommands(): TorrentCommands {
  const client = useEngine();
  const store = useStoreApi();
  return useMemo(() => createCommands(client, store, { bridge: window.tessera, clipboard: navigator.clipboard ?? null }), [client, store]);
}

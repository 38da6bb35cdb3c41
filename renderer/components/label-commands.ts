/**
 * Categories and tags from the context menu, the sidebar (drop) and the dialogs: one engine command each,
 * a failure shown as a toast that says what failed (the engine's message says why).
 */
import { useMemo } from 'react';
import type { TorrentId } from '../../engine/api/types.js';
import type { EngineClient } from '../api/engine-client.js';
import { selectedInOrder } from '../lib/selection.js';
import { useEngine, useStoreApi } from '../store/context.js';
import type { TesseraStore } from '../store/store.js';
import { errorText } from './commands.js';

export interface LabelCommands {
  /** Puts the torrents (default: the selection) in `category` (null: none); resolves false when it failed. */
  setCategory(category: string | null, ids?: TorrentId[]): Promise<boolean>;
  addTag(tag: string, ids?: TorrentId[]): Promise<boolean>;
  /** Adds the tag, or removes it when every target has it already. */
  toggleTag(tag: string, ids?: TorrentId[]): void;
  askNewCategory(ids?: TorrentId[]): void;
  askNewTag(ids?: TorrentId[]): void;
  manageCategories(): void;
}

type Client = Pick<EngineClient, 'request'>;

export function createLabelCommands(client: Client, store: TesseraStore): LabelCommands {
  const state = () => store.getState();
  const targets = (ids?: TorrentId[]): TorrentId[] => ids ?? selectedInOrder(state().visibleIds, state().selection);
  const plural = (ids: TorrentId[]) => (ids.length === 1 ? (state().torrents.get(ids[0])?.name ?? '1 torrent') : `${ids.length} torrents`);
  const attempt = async (what: string, run: () => Promise<unknown>): Promise<boolean> => {
    try {
      await run();
      return true;
    } catch (e) {
      state().toast('error', `${what}: ${errorText(e)}`);
      return false;
    }
  };
  return {
    async setCategory(category, ids) {
      const t = targets(ids);
      if (!t.length) return false;
      return attempt(category === null ? `Could not clear the category of ${plural(t)}` : `Could not put ${plural(t)} in ${category}`, () => client.request({ type: 'setCategory', ids: t, category }));
    },
    async addTag(tag, ids) {
      const t = targets(ids);
      if (!t.length) return false;
      return attempt(`Could not tag ${plural(t)} "${tag}"`, () => client.request({ type: 'setTags', ids: t, add: [tag], remove: [] }));
    },
    toggleTag(tag, ids) {
      const t = targets(ids);
      if (!t.length) return;
      const all = t.every((id) => state().torrents.get(id)?.tags.includes(tag) === true);
      void attempt(`Could not change the tag "${tag}" of ${plural(t)}`, () => client.request({ type: 'setTags', ids: t, add: all ? [] : [tag], remove: all ? [tag] : [] }));
    },
    askNewCategory(ids) {
      const t = targets(ids);
      if (t.length) state().openDialog({ kind: 'newLabel', what: 'category', ids: t });
    },
    askNewTag(ids) {
      const t = targets(ids);
      if (t.length) state().openDialog({ kind: 'newLabel', what: 'tag', ids: t });
    },
    manageCategories() {
      state().openDialog({ kind: 'categories' });
    },
  };
}

export function useLabelCommands(): LabelCommands {
  const client = useEngine();
  const store = useStoreApi();
  return useMemo(() => createLabelCommands(client, store), [client, store]);
}

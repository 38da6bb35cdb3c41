/**
 * The protocol's commands, each sent to the part of the engine that does it. Session owns the list, the queue and
 * the state stream; this switch only routes, so a new command is one case here and its work in its own module.
 */
import type { Command, DiagnosisReason, ResultOf, Settings, StreamUrlResult } from '../api/types.js';
import { isRssCommand } from '../api/validate-rss.js';
import { moveInQueue } from './queue.js';
import { setPaused, type Entry } from './entry.js';
import { inspectSource, torrentInfo } from './inspect.js';
import { checkSavePath } from './check-path.js';
import { setTorrentOptions } from './options-table.js';
import { queueOrder, setQueueOrder } from './queue-order.js';
import { addPeers, moveStorage, recheck, renameFile, setFilePriority, type TorrentCommandDeps } from './torrent-commands.js';
import { streamOf, type StateStream, type StreamView } from './stream.js';
import type { Categories } from './categories.js';
import type { MoreCommands } from './more-commands.js';
import type { RssService } from './rss-service.js';
import type { EffectiveSettings } from './effective-settings.js';

/** What the commands need of the session. */
export interface DispatchHost {
  readonly entries: Map<string, Entry>;
  readonly commandDeps: TorrentCommandDeps;
  readonly categories: Categories;
  readonly more: MoreCommands;
  readonly stream: StateStream;
  rss(): RssService;
  /** The entry with this id, or ApiError NotFound. */
  entry(id: string): Entry;
  select(ids: readonly string[] | 'all'): Entry[];
  touch(e: Entry): void;
  applyQueue(): void;
  applyTorrentOptions(e: Entry): void;
  add(cmd: Extract<Command, { type: 'add' }>): Promise<ResultOf['add']>;
  remove(e: Entry, deleteData: boolean): Promise<void>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  effective(): EffectiveSettings;
  streamUrl(e: Entry, file: number): StreamUrlResult;
  diagnose(e: Entry): DiagnosisReason[];
  /** A batch to every view, then a full snapshot to this one. */
  snapshot(view: StreamView): void;
}

export async function dispatch(cmd: Command, view: StreamView | null, h: DispatchHost): Promise<ResultOf[Command['type']]> {
  if (isRssCommand(cmd)) return h.rss().execute(cmd);
  switch (cmd.type) {
    case 'add':
      return h.add(cmd);
    case 'remove':
      await Promise.all(cmd.ids.map((id) => h.remove(h.entry(id), cmd.deleteData)));
      return null;
    case 'addPeers':
      return addPeers(h.entry(cmd.id), cmd.peers);
    case 'pause':
    case 'resume':
      for (const e of h.select(cmd.ids)) if (setPaused(e, cmd.type === 'pause')) h.touch(e);
      h.applyQueue();
      return null;
    case 'forceStart':
      for (const e of h.select(cmd.ids)) {
        e.forceStart = cmd.enabled;
        if (cmd.enabled) e.paused = false;
        h.touch(e);
      }
      h.applyQueue();
      return null;
    case 'recheck':
      for (const e of h.select(cmd.ids)) await recheck(e, h.commandDeps);
      return null;
    case 'queueMove':
      h.select(cmd.ids);
      setQueueOrder(h.entries, moveInQueue(queueOrder(h.entries.values()), cmd.ids, cmd.to), (e) => h.touch(e));
      h.applyQueue();
      return null;
    case 'setFilePriority': {
      const e = h.entry(cmd.id);
      setFilePriority(e, cmd.files, cmd.priority);
      h.touch(e);
      return null;
    }
    case 'setTorrentOptions': {
      const e = h.entry(cmd.id);
      // A category change may move data: the same path as setCategory.
      if (cmd.options.category !== undefined) await h.categories.assign([e], cmd.options.category);
      setTorrentOptions(e, cmd.options);
      h.applyTorrentOptions(e);
      h.touch(e);
      return null;
    }
    case 'renameFile':
      await renameFile(h.entry(cmd.id), cmd.file, cmd.newPath, h.commandDeps);
      return null;
    case 'moveStorage':
      await moveStorage(h.entry(cmd.id), cmd.savePath, h.commandDeps);
      return null;
    case 'getInfo':
      return torrentInfo(h.entry(cmd.id));
    case 'streamUrl':
      return h.streamUrl(h.entry(cmd.id), cmd.file);
    case 'checkPath':
      return checkSavePath(cmd.path);
    case 'diagnose':
      return { reasons: h.diagnose(h.entry(cmd.id)) };
    case 'reannounce':
    case 'banPeer':
    case 'createTorrent':
      return h.more.execute(cmd);
    case 'setCategory':
      await h.categories.assign(cmd.ids.map((id) => h.entry(id)), cmd.category);
      return null;
    case 'setTags':
      h.categories.setTags(cmd.ids.map((id) => h.entry(id)), cmd.add, cmd.remove);
      return null;
    case 'getSettings':
      return h.effective().settings;
    case 'setSettings':
      return h.updateSettings(cmd.settings);
    case 'inspect':
      return inspectSource(cmd.source, (id) => h.entries.has(id));
    case 'subscribe':
      if (cmd.id !== null) h.entry(cmd.id);
      h.stream.subscribe(streamOf(view), cmd.id, cmd.topics);
      return null;
    case 'snapshot':
      h.snapshot(streamOf(view));
      return null;
  }
}

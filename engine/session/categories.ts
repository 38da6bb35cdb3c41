import type { CategoryDef, Command, Notice, Settings } from '../api/types.js';
import { categorySavePath, changeTags, findCategory, sortedTags } from '../api/categories.js';
import type { Entry } from './entry.js';

/** What categories and tags need of the session. */
export interface CategoryHost {
  settings(): Settings;
  /** The session's setSettings: saves them and tells every client (a settings event). */
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  entries(): Iterable<Entry>;
  /** Still in the list. */
  isCurrent(e: Entry): boolean;
  touch(e: Entry): void;
  /** moveStorage: the files go to `savePath`, the record follows; progress shows in the row. */
  move(e: Entry, savePath: string): Promise<void>;
  notice(n: Notice): void;
  log(line: string, e?: Entry): void;
}

/**
 * Categories and tags of torrents (issue 17; the names' rules are api/categories.ts). A torrent follows
 * its category's save path: on add (unless the add names a folder), when it is put in the category, and
 * when the category's save path changes later (qBittorrent's "relocate torrents"). Moves run one at a
 * time, in order, through the moveStorage machinery, so two changes in a row cannot race on one folder.
 */
export class Categories {
  private moves: Promise<void> = Promise.resolve();

  constructor(private readonly host: CategoryHost) {}

  /** Where an added torrent goes: the add's folder, else its category's, else the download folder. */
  savePathForAdd(cmd: Extract<Command, { type: 'add' }>): string {
    const settings = this.host.settings();
    return cmd.savePath ?? categorySavePath(settings.categories, cmd.category ?? null) ?? settings.downloadDir;
  }

  /** A new entry takes the add's category and tags; an unknown category is created first. */
  async labelNew(entry: Entry, cmd: Extract<Command, { type: 'add' }>): Promise<void> {
    if (cmd.category !== undefined) await this.ensure(cmd.category);
    entry.category = cmd.category ?? null;
    // Validated adds come sorted; a host's own add (watch folder, RSS) may not.
    entry.tags = sortedTags(cmd.tags ?? []);
  }

  /**
   * setCategory: the category is set at once (the rows show it); torrents whose category has a save
   * elsewhere then move there, one after another. Resolves once they have moved; a failed move rejects
   * with its error (the category stays set, the data where it was).
   */
  async assign(entries: readonly Entry[], category: string | null): Promise<void> {
    if (category !== null) await this.ensure(category);
    for (const e of entries) {
      if (e.category === category) continue;
      e.category = category;
      this.host.touch(e);
    }
    const target = categorySavePath(this.host.settings().categories, category);
    if (target === null) return;
    await this.moveAll(entries.filter((e) => e.category === category), target);
  }

  /** setTags: each torrent's list changes (a tag in both lists ends removed). */
  setTags(entries: readonly Entry[], add: readonly string[], remove: readonly string[]): void {
    for (const e of entries) {
      const next = changeTags(e.tags, add, remove);
      if (next === e.tags) continue;
      e.tags = next;
      this.host.touch(e);
    }
  }

  /**
   * The settings' categories changed (by setSettings from any client): torrents of a removed category
   * lose it; torrents of a category whose save path changed to a folder move there, in the background
   * (progress in their rows, a failure as an error notice), since a settings change must not wait for data to move.
   */
  settingsChanged(before: readonly CategoryDef[], after: readonly CategoryDef[]): void {
    if (before === after) return;
    const relocate = new Map<string, string>();
    for (const old of before) {
      const now = findCategory(after, old.name);
      if (!now) {
        for (const e of this.host.entries()) {
          if (e.category !== old.name) continue;
          e.category = null;
          this.host.touch(e);
        }
      } else if (now.savePath !== null && now.savePath !== old.savePath) {
        relocate.set(now.name, now.savePath);
      }
    }
    for (const [name, savePath] of relocate) {
      const entries = [...this.host.entries()].filter((e) => e.category === name);
      if (entries.length === 0) continue;
      this.host.log(`category "${name}" now saves to ${savePath}: moving ${entries.length} torrent(s) there`);
      this.moveAll(entries, savePath).catch(() => {
        // Each failure was reported by moveAll; nothing waits on this chain.
      });
    }
  }

  /** Creates a category (no save path) when the settings do not have it yet. */
  private async ensure(name: string): Promise<void> {
    const { categories } = this.host.settings();
    if (findCategory(categories, name)) return;
    await this.host.updateSettings({ categories: [...categories, { name, savePath: null }] });
  }

  /** Moves each torrent not already in `savePath`, after the moves queued before; rejects with the first failure. */
  private moveAll(entries: readonly Entry[], savePath: string): Promise<void> {
    const run = async (): Promise<void> => {
      let first: unknown = null;
      for (const e of entries) {
        // It may have been removed, or put in another category, while earlier moves ran.
        if (!this.host.isCurrent(e) || e.savePath === savePath || categorySavePath(this.host.settings().categories, e.category) !== savePath) continue;
        try {
          await this.host.move(e, savePath);
        } catch (err) {
          const message = `could not move to its category's folder ${savePath}: ${(err as Error).message}`;
          this.host.log(message, e);
          this.host.notice({ type: 'error', id: e.id, name: e.name, message });
          first ??= err;
        }
      }
      if (first !== null) throw first;
    };
    const done = this.moves.then(run);
    this.moves = done.catch(() => undefined);
    return done;
  }
}

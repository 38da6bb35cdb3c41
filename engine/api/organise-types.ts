/** Categories, watch folders and schedules in the protocol (issue 17); re-exported by types.ts. */

/** A category (api/categories.ts): torrents assigned to it follow its save path when it has one. */
export interface CategoryDef {
  name: string;
  /** Absolute; null: torrents keep the save path they have. */
  savePath: string | null;
}

/** One watch folder: new .torrent / .magnet files in it are added, then handled as `afterAdd` says. */
export interface WatchFolder {
  /** Absolute; created when missing. */
  path: string;
  /** Given to the torrents it adds (the add command's category). */
  category: string | null;
  startPaused: boolean;
  /** The file once added: left where it is, deleted, or renamed to `<name>.added`. */
  afterAdd: 'keep' | 'delete' | 'rename';
}

/** A schedule in effect now and when it ends ("07:00", local time of the engine's machine). */
export interface ActiveSchedules {
  /** The alternative limits apply by their schedule (not switched on by hand) until then. */
  altLimitsUntil: string | null;
  /** Downloads are paused by the pause schedule until then. */
  downloadsPausedUntil: string | null;
}

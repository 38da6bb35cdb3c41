/** The bounds the api validators enforce; the UIs use them too (input limits, argv, IPC payloads). */
export const LIMITS = {
  /** Ids in one command. */
  maxIds: 10_000,
  /** Rate limits in bytes/s (null means unlimited). */
  maxRate: 2 ** 40,
  /** Paths, in UTF-16 code units. */
  maxPathLength: 4096,
  /** A .torrent file handed to 'add'. */
  maxTorrentBytes: 64 * 1024 * 1024,
  /** A magnet URI, in UTF-16 code units. */
  maxMagnetLength: 64 * 1024,
  /** File indices in one setFilePriority, and entries in add.filePriorities. */
  maxFiles: 1_000_000,
  /** maxActiveDownloads, maxActiveSeeds. */
  maxQueueSize: 10_000,
  uploadSlotsMax: 10_000,
  /** maxConnections (global, per torrent, per-torrent option). */
  maxConnections: 65_535,
  maxMinutes: 1_000_000,
  maxRatio: 10_000,
  /** Minutes in a day, minus one: WeeklySchedule.from/to. */
  maxMinuteOfDay: 1439,
  /** Settings.partialPieceMemory in bytes: at least 16 MiB, at most 64 GiB. */
  partialPieceMemoryMin: 16 * 2 ** 20,
  partialPieceMemoryMax: 64 * 2 ** 30,
  /** Settings.watchFolders entries. */
  maxWatchFolders: 64,
  /** A watch folder's category name. */
  maxCategoryLength: 256,
} as const;

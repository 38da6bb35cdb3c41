/**
 * The engine's protocol: what a UI (Electron renderer, browser via the daemon, CLI) sends and
 * receives. Types and pure validators only: no Node APIs, so the renderer can import it.
 */

import type { RssCommand, RssNotice, RssResultOf } from './rss-types.js';
import type { DiagnosisReason } from './doctor-types.js';
import type { ActiveSchedules, CategoryDef, WatchFolder } from './organise-types.js';
export type { ActiveSchedules, CategoryDef, WatchFolder } from './organise-types.js';
export type { DiagnosisAction, DiagnosisCode, DiagnosisReason } from './doctor-types.js';

/** A torrent's id is its v1 info hash in lowercase hex. */
export type TorrentId = string;

export type TorrentState =
  | 'metadata' // magnet link: fetching the info dict from peers
  | 'checking' // verifying data on disk
  | 'downloading'
  | 'seeding'
  | 'paused'
  | 'queued' // waiting for a download or seed slot (see queuedFor)
  | 'stalled' // active but no payload for a while; does not hold a slot
  | 'error';

export type FilePriority = 'skip' | 'low' | 'normal' | 'high';

/** One row of the torrent list. Changes travel as TorrentPatch: only the fields that changed. */
export interface TorrentSummary {
  id: TorrentId;
  name: string;
  state: TorrentState;
  /** Why it is in that state, in words a user can act on ("waiting: 3 of 3 download slots in use"). */
  stateReason: string;
  queuedFor: 'download' | 'seed' | null;
  /** 0-based position in the queue; -1 for torrents that are complete and not queued. */
  queuePosition: number;
  forceStart: boolean;
  totalBytes: number;
  /** Verified bytes of wanted files. */
  doneBytes: number;
  /** Bytes of the files the user wants (skipped files excluded). */
  wantedBytes: number;
  progress: number;
  downRate: number;
  upRate: number;
  /** Seconds to completion, or -1 when unknown. */
  eta: number;
  ratio: number;
  downloadedTotal: number;
  uploadedTotal: number;
  peers: number;
  seeds: number;
  savePath: string;
  addedAt: number;
  completedAt: number | null;
  error: string | null;
  sequential: boolean;
  downloadLimit: number | null;
  uploadLimit: number | null;
  /** The torrent's own options (TorrentOptionValues) besides the three above, so a dialog shows them current. */
  firstLastPiecesFirst: boolean;
  ratioLimit: number | null;
  seedTimeLimitMinutes: number | null;
  maxConnections: number | null;
  /** Paused by the engine because this seeding goal was reached (stateReason says which); null otherwise. */
  goalReached: 'ratio' | 'seedTime' | null;
  /** 0..1 while moveStorage moves the files (stateReason names the folder); null otherwise. */
  moveProgress: number | null;
  /** The doctor's top reason this torrent is not at full speed, in a few words ("all 12 peers choking us"); null when nothing holds it back. */
  why: string | null;
  /** Its category ("Movies/4K", see api/categories.ts) and tags (sorted, unique); also in TorrentOptionValues. */
  category: string | null;
  tags: string[];
  /** Host names of its trackers, sorted (the sidebar's Trackers filter); empty for a trackerless torrent. */
  trackerHosts: string[];
}

export type TorrentPatch = Partial<TorrentSummary> & { id: TorrentId };

export interface GlobalStats {
  downRate: number;
  upRate: number;
  downloadedTotal: number;
  uploadedTotal: number;
  connectedPeers: number;
  /** Nodes in the DHT routing tables, IPv4 and IPv6 together. */
  dhtNodes: number;
  /** Of `dhtNodes`, those in the IPv6 DHT's table (BEP 32); absent from engines without it. */
  dhtNodes6?: number;
  freeDiskBytes: number;
  altLimitsActive: boolean;
  downloadLimit: number | null;
  uploadLimit: number | null;
  /** Port mapping on the home router and whether peers can reach us; absent when the host runs without it (tests). */
  portMapping?: PortMappingStatus;
  /** Schedules in effect now (the status bar); absent when none is. */
  schedules?: ActiveSchedules;
}

/** Our listen port on the home router (UPnP IGD, NAT-PMP, PCP) and whether peers reach us (issue 12). */
export interface PortMappingStatus {
  /** 'off': the portMapping setting (or --no-port-mapping) turned it off. */
  state: 'off' | 'mapping' | 'mapped' | 'failed';
  method: 'upnp' | 'nat-pmp' | 'pcp' | null;
  /** The router's LAN address. */
  gateway: string | null;
  internalPort: number;
  /** What trackers and peers are told; null when not mapped. */
  externalPort: number | null;
  /** Our address on the Internet as the router reports it (for the UI and BEP 42). */
  externalAddress: string | null;
  /** 'yes' once a peer connected to us; 'no' after 30 minutes listening without one; 'unknown' before. */
  connectable: 'yes' | 'no' | 'unknown';
  /** One line for the status bar: "Port 6881 open via UPnP on 10.0.0.1", "mapping failed: router refused (…)". */
  message: string;
}

export interface PeerInfo {
  address: string;
  client: string;
  /** Flags as letters (libtorrent/qBittorrent style): D downloading from, U uploading to, d/u interested but choked, O optimistic, I incoming, S snubbed, E/e encrypted, P uTP (else TCP). */
  flags: string;
  downRate: number;
  upRate: number;
  /** 0..1, from the peer's bitfield. */
  progress: number;
  downloaded: number;
  uploaded: number;
  /** 'webSeed': an HTTP web seed (BEP 19): `address` is its URL, `client` says "web seed". Absent: a peer. */
  kind?: 'webSeed';
}

export interface FileInfo {
  index: number;
  path: string;
  length: number;
  doneBytes: number;
  priority: FilePriority;
}

export interface TrackerInfo {
  url: string;
  tier: number;
  status: 'idle' | 'updating' | 'working' | 'error';
  message: string;
  seeds: number | null;
  leechers: number | null;
  completed: number | null;
  /** Seconds until the next announce, or null. */
  nextAnnounceIn: number | null;
  /** 'webSeed': a web seed (BEP 19) listed among the sources; tier is -1, the counts null. Absent: a tracker. */
  kind?: 'webSeed';
}

/** The piece map: bitfields in BitTorrent bit order and a per-piece availability array. */
export interface PieceMap {
  pieceCount: number;
  pieceLength: number;
  have: Uint8Array;
  downloading: Uint8Array;
  availability: Uint16Array;
}

export interface TorrentDetails {
  id: TorrentId;
  peers?: PeerInfo[];
  files?: FileInfo[];
  trackers?: TrackerInfo[];
  pieces?: PieceMap;
}

/** Static facts about a torrent (the General tab), sent on request. */
export interface TorrentInfo {
  id: TorrentId;
  name: string;
  infoHash: string;
  /** BEP 52 SHA-256 info hash, 64 hex (v2 and hybrid torrents and magnets); absent for v1. */
  infoHashV2?: string;
  pieceLength: number;
  pieceCount: number;
  totalBytes: number;
  private: boolean;
  comment: string | null;
  createdBy: string | null;
  creationDate: number | null;
  magnetUri: string;
  /** Padding files left out; see ListedFile. */
  files: ListedFile[];
  /** Every file in the torrent, padding included: the length `add`'s filePriorities must have. */
  fileCount: number;
  trackers: string[][];
}

/** A file as a user sees it: `index` counts every file of the torrent (padding too), as file priorities do. */
export interface ListedFile {
  index: number;
  path: string;
  length: number;
}

export interface WeeklySchedule {
  /** Days the alternative limits apply, 0 = Sunday. */
  days: number[];
  /** Minutes after midnight, local time. */
  from: number;
  to: number;
}

/**
 * Message Stream Encryption ("protocol encryption"), as qBittorrent and libtorrent name the choices:
 * - 'prefer' (their "enabled"/"allow"): incoming plaintext and encrypted connections are both accepted, and RC4
 *   is chosen whenever the dialling peer offers it; outgoing connections start an encrypted handshake offering
 *   RC4 and plaintext (the peer picks), and dial again in plaintext if that handshake fails.
 * - 'require' ("forced"): RC4 only, both ways; plaintext connections are refused.
 * - 'disable': plaintext only; incoming encrypted handshakes are refused.
 */
export type EncryptionPolicy = 'prefer' | 'require' | 'disable';

export interface Settings {
  downloadDir: string;
  listenPort: number;
  maxActiveDownloads: number;
  maxActiveSeeds: number;
  /** Minutes without payload before an active torrent counts as stalled (and frees its slot). */
  stalledAfterMinutes: number;
  downloadLimit: number | null;
  uploadLimit: number | null;
  altDownloadLimit: number | null;
  altUploadLimit: number | null;
  altLimitsEnabled: boolean;
  altSchedule: WeeklySchedule | null;
  maxConnections: number;
  maxConnectionsPerTorrent: number;
  uploadSlotsPerTorrent: number;
  ratioLimit: number | null;
  seedTimeLimitMinutes: number | null;
  /** What to do when a seeding goal is reached. */
  seedGoalAction: 'pause' | 'remove';
  dht: boolean;
  pex: boolean;
  lsd: boolean;
  encryption: EncryptionPolicy;
  /** Map the listen port on the home router (UPnP IGD, NAT-PMP, PCP). */
  portMapping: boolean;
  /** BEP 55 hole punching: relay introductions between our peers and punch through NATs with them (uTP). */
  holepunch: boolean;
  /**
   * Bytes all torrents together may hold in pieces being received (null: sized to the machine, the smaller of
   * 256 MiB and a sixteenth of its memory). Past it, blocks are written to disk as they come and verified from disk.
   * 64 MiB of it is kept back for the rest of the download's working set, so the process stays within it + 64 MiB.
   */
  partialPieceMemory: number | null;
  /** uTP (BEP 29, over the listen port's UDP socket): accept and dial peers with it. tcp and utp are never both off. */
  utp: boolean;
  /** TCP: accept and dial peers with it. */
  tcp: boolean;
  /** Dial uTP first to peers known to take it (libtorrent's way); false: TCP first to every peer. */
  preferUtp: boolean;
  /** Folders whose new .torrent (and .magnet) files are added by themselves (issue 17). */
  watchFolders: WatchFolder[];
  /** Downloads pause inside this weekly window (seeding goes on; force-started torrents ignore it). */
  pauseSchedule: WeeklySchedule | null;
  /**
   * The categories, each name once (api/categories.ts). Changing one's save path moves the data of its
   * torrents there (qBittorrent's "relocate torrents"); removing one clears it from its torrents.
   */
  categories: CategoryDef[];
}

/**
 * A torrent's own options: kept in its resume record, changed with setTorrentOptions. Adding one:
 * add it here, and the compiler names the other places (its row in the record's field table,
 * engine/storage/resume/resume-record.ts; how the session applies it, engine/session/options-table.ts;
 * its check in engine/api/validate.ts).
 */
export interface TorrentOptionValues {
  /** Bytes per second; null (or 0) for no limit. */
  downloadLimit: number | null;
  uploadLimit: number | null;
  sequential: boolean;
  firstLastPiecesFirst: boolean;
  /** Null: the settings' limit applies. */
  ratioLimit: number | null;
  seedTimeLimitMinutes: number | null;
  maxConnections: number | null;
  /** Its trackers, tiers in order (the Trackers tab edits them); null: the ones in the metainfo or magnet. */
  trackers: string[][] | null;
  /** Its category; setting it (setCategory, or here) moves the data to the category's save path when it has one. */
  category: string | null;
  /** Sorted, unique (api/categories.ts changeTags). */
  tags: string[];
}

/** setTorrentOptions' patch: the options to change. */
export type TorrentOptions = { [K in keyof TorrentOptionValues]?: TorrentOptionValues[K] };

export type AddSource = { kind: 'torrent'; data: Uint8Array } | { kind: 'magnet'; uri: string };

export type QueueMove = 'up' | 'down' | 'top' | 'bottom';

export type DetailTopic = 'peers' | 'files' | 'trackers' | 'pieces';

/** What `inspect` tells about a .torrent or magnet link without adding it (the Add dialog). */
export interface InspectResult {
  name: string;
  infoHash: string;
  /** 0 when the metadata is not known (a magnet link). */
  totalBytes: number;
  pieceLength: number;
  pieceCount: number;
  /** Sanitised paths joined with '/', padding files left out; empty when the metadata is not known. */
  files: ListedFile[];
  /** Every file in the torrent, padding included (0 when the metadata is not known). */
  fileCount: number;
  private: boolean;
  comment: string | null;
  createdBy: string | null;
  /** False for a magnet link: only the info hash (and maybe a name, from dn) is known. */
  metadataKnown: boolean;
  /** A torrent with this info hash is already in the list. */
  alreadyAdded: boolean;
}

export type Command =
  | {
      type: 'add';
      source: AddSource;
      savePath?: string;
      paused?: boolean;
      filePriorities?: FilePriority[];
      queueTop?: boolean;
      /** Category path like "Movies/4K"; a torrent follows its category's save path when it has one. */
      category?: string;
      tags?: string[];
      /**
       * A magnet link fetches its metadata and then pauses (stateReason "metadata received: choose
       * files, then resume"), so files can be chosen before any data is downloaded. No effect on a .torrent.
       */
      stopAfterMetadata?: boolean;
    }
  /** Parses a .torrent or magnet link without adding it. */
  | { type: 'inspect'; source: AddSource }
  | { type: 'remove'; ids: TorrentId[]; deleteData: boolean }
  /** Peers to dial, as "host:port" or "[v6]:port" (like a magnet's x.pe). */
  | { type: 'addPeers'; id: TorrentId; peers: string[] }
  | { type: 'pause'; ids: TorrentId[] | 'all' }
  | { type: 'resume'; ids: TorrentId[] | 'all' }
  | { type: 'forceStart'; ids: TorrentId[]; enabled: boolean }
  | { type: 'recheck'; ids: TorrentId[] }
  | { type: 'queueMove'; ids: TorrentId[]; to: QueueMove }
  | { type: 'setFilePriority'; id: TorrentId; files: number[]; priority: FilePriority }
  | { type: 'setTorrentOptions'; id: TorrentId; options: TorrentOptions }
  | { type: 'renameFile'; id: TorrentId; file: number; newPath: string }
  | { type: 'moveStorage'; id: TorrentId; savePath: string }
  | { type: 'getInfo'; id: TorrentId }
  | { type: 'getSettings' }
  | { type: 'setSettings'; settings: Partial<Settings> }
  | { type: 'subscribe'; id: TorrentId | null; topics: DetailTopic[] }
  | { type: 'snapshot' }
  /** Announces to the trackers (and looks up the DHT) now, as far as each tracker's min interval allows. */
  | { type: 'reannounce'; ids: TorrentId[] }
  /** Disconnects a peer ("host:port" or "[v6]:port") and refuses it for every torrent until the engine restarts. */
  | { type: 'banPeer'; id: TorrentId; peer: string }
  /**
   * Makes a .torrent of a file or folder on the engine's machine; progress arrives as createProgress
   * notices (by `path`). With `seed`, the torrent is added with the folder holding `path` as its save
   * path, so it seeds at once (not for format 'v2': v2-only torrents cannot be seeded yet).
   */
  | { type: 'createTorrent'; path: string; trackers: string[][]; webSeeds: string[]; pieceLength: number | null; private: boolean; comment: string; format: 'v1' | 'v2' | 'hybrid'; seed: boolean }
  /** Whether a folder on the engine's machine can hold downloads (the UI's folder fields, before add or move). */
  | { type: 'checkPath'; path: string }
  /** RSS feeds and download rules (issue 17): see rss-types.ts. */
  | RssCommand
  /** The doctor: why this torrent is not at full speed, most important reason first. */
  | { type: 'diagnose'; id: TorrentId }
  /**
   * Puts torrents in a category (null: none). A category not in the settings yet is created (no save path).
   * A torrent whose new category has a save path moves its data there, as moveStorage does.
   */
  | { type: 'setCategory'; ids: TorrentId[]; category: string | null }
  /** Adds and removes tags on torrents (a tag both added and removed ends removed). */
  | { type: 'setTags'; ids: TorrentId[]; add: string[]; remove: string[] }
  /**
   * An HTTP address that streams one file of the torrent (Range requests; reads wait for their pieces and move
   * the download ahead of them). Absolute, usable from the UI page and from a player on the same machine; it
   * carries a per-file capability, so it needs no token. NotFound: no such torrent or file; Conflict: metadata unknown.
   */
  | { type: 'streamUrl'; id: TorrentId; file: number };

export type CommandType = Command['type'];

/** What each command answers with. */
export interface ResultOf extends RssResultOf {
  add: { id: TorrentId; name: string };
  inspect: InspectResult;
  remove: null;
  addPeers: { added: number };
  pause: null;
  resume: null;
  forceStart: null;
  recheck: null;
  queueMove: null;
  setFilePriority: null;
  setTorrentOptions: null;
  renameFile: null;
  moveStorage: null;
  getInfo: TorrentInfo;
  getSettings: Settings;
  setSettings: Settings;
  subscribe: null;
  snapshot: null;
  checkPath: PathCheck;
  reannounce: null;
  banPeer: { disconnected: number };
  createTorrent: { torrent: Uint8Array; name: string; infoHash: string; id: TorrentId | null };
  diagnose: { reasons: DiagnosisReason[] };
  setCategory: null;
  setTags: null;
  streamUrl: StreamUrlResult;
}

/** streamUrl's answer: where to fetch the file, its MIME type (from the extension), its name and size in bytes. */
export interface StreamUrlResult {
  url: string;
  contentType: string;
  name: string;
  length: number;
}

/** checkPath's answer. `problem` names the folder and what to do; null when downloads can go there. */
export interface PathCheck {
  path: string;
  ok: boolean;
  exists: boolean;
  problem: string | null;
}

export interface Request {
  kind: 'request';
  requestId: number;
  command: Command;
}

export interface ApiErrorShape {
  /** 'InvalidCommand' for payloads that fail validation, 'NotFound', 'Conflict', or the engine's error name. */
  name: string;
  message: string;
}

export type Reply =
  | { kind: 'reply'; requestId: number; ok: true; result: ResultOf[CommandType] }
  | { kind: 'reply'; requestId: number; ok: false; error: ApiErrorShape };

/**
 * State flows as batches at a steady rate (2-4 a second) while anything changes. A batch with nothing
 * new (no rows, removals or notices; global counters and details as last sent) is not sent, but one
 * goes out at least every 5 s as a heartbeat, so a quiet engine wakes nobody. `details` is null when
 * the detail views did not change since the last batch (or none are subscribed): keep the ones shown.
 * `seq` increases by one per message sent; a receiver that sees a gap sends { type: 'snapshot' } and
 * gets a full 'snapshot' event.
 */
export type EngineEvent =
  | { kind: 'snapshot'; seq: number; torrents: TorrentSummary[]; global: GlobalStats; settings: Settings; hostFixed?: HostFixedSetting[] }
  /**
   * The settings changed (by any client: another tab, the CLI, the daemon): sent to every receiver right
   * after setSettings, so no UI keeps a stale copy. `settings` are the values in effect.
   */
  | { kind: 'settings'; seq: number; settings: Settings; hostFixed: HostFixedSetting[] }
  | {
      kind: 'batch';
      seq: number;
      added: TorrentSummary[];
      changed: TorrentPatch[];
      removed: TorrentId[];
      global: GlobalStats;
      details: TorrentDetails | null;
      /** Things that happened since the last batch, for notifications and logs. */
      notices: Notice[];
    };

/**
 * Settings the host process decides over the saved ones (the daemon's --peer-port, --no-dht, --no-lsd;
 * 'watchFolders': --watch adds folders to the saved ones):
 * the values reported are the ones in effect, and a UI shows these fields as set by the host.
 */
export type HostFixedSetting = 'listenPort' | 'dht' | 'lsd' | 'watchFolders' | 'holepunch';

export type Notice =
  | { type: 'completed'; id: TorrentId; name: string; savePath: string }
  | { type: 'error'; id: TorrentId; name: string; message: string }
  | { type: 'metadataReceived'; id: TorrentId; name: string }
  /** createTorrent hashing `path`: a few a second while it runs, and one with hashedBytes === totalBytes at the end. */
  | { type: 'createProgress'; path: string; hashedBytes: number; totalBytes: number }
  | RssNotice
  /**
   * A watch folder added a file's torrent ('added'), found it already in the list ('duplicate'), or set a bad
   * file aside as `<name>.invalid` ('invalid': the message says what is wrong and what to do).
   */
  | { type: 'watchFolder'; outcome: 'added' | 'duplicate' | 'invalid'; folder: string; file: string; message: string };

export type UiMessage = Request;
export type EngineMessage = Reply | EngineEvent;

/** Validation of the commands of the protocol: each command's fields, by command type. Pure. */
import { LIMITS } from './limits.js';
import type { AddSource, Command, CommandType, DetailTopic, FilePriority, QueueMove } from './types.js';
import {
  array,
  bool,
  fail,
  absolutePath,
  fsPath,
  idsOrAll,
  isPlainObject,
  isTorrentId,
  isU8,
  knownKeys,
  oneOf,
  own,
  relativePath,
  torrentId,
  torrentIds,
} from './validate-primitives.js';
import { parseSettingsPatch, torrentOptions } from './validate-settings.js';
import { trackerTiers, webSeeds } from './validate-trackers.js';

export const COMMAND_TYPES: readonly CommandType[] = [
  'add',
  'inspect',
  'remove',
  'pause',
  'resume',
  'forceStart',
  'recheck',
  'queueMove',
  'setFilePriority',
  'setTorrentOptions',
  'renameFile',
  'moveStorage',
  'getInfo',
  'getSettings',
  'setSettings',
  'subscribe',
  'addPeers',
  'snapshot',
  'checkPath',
  'reannounce',
  'banPeer',
  'createTorrent',
  'streamUrl',
];
/** host:port with a port 1..65535, or [v6]:port. */
const PEER_RE = /^(?:\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9.-]{1,253}):(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})$/;

export const FILE_PRIORITIES: readonly FilePriority[] = ['skip', 'low', 'normal', 'high'];
export const QUEUE_MOVES: readonly QueueMove[] = ['up', 'down', 'top', 'bottom'];
export const DETAIL_TOPICS: readonly DetailTopic[] = ['peers', 'files', 'trackers', 'pieces'];

export function isCommandType(v: unknown): v is CommandType {
  return typeof v === 'string' && (COMMAND_TYPES as readonly string[]).includes(v);
}

function addSource(v: unknown, path: string): AddSource {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  const kind = own(v, 'kind');
  if (kind === 'torrent') {
    knownKeys(v, path, ['kind', 'data']);
    const data = own(v, 'data');
    if (!isU8(data)) fail(`${path}.data`, 'must be a Uint8Array holding the .torrent file');
    if (data.byteLength === 0) fail(`${path}.data`, 'must not be empty');
    if (data.byteLength > LIMITS.maxTorrentBytes) fail(`${path}.data`, `must be at most ${LIMITS.maxTorrentBytes} bytes`);
    return { kind: 'torrent', data };
  }
  if (kind === 'magnet') {
    knownKeys(v, path, ['kind', 'uri']);
    const uri = own(v, 'uri');
    if (typeof uri !== 'string' || uri.slice(0, 7).toLowerCase() !== 'magnet:') fail(`${path}.uri`, "must be a string starting with 'magnet:'");
    if (uri.length > LIMITS.maxMagnetLength) fail(`${path}.uri`, `must be at most ${LIMITS.maxMagnetLength} characters`);
    if (uri.includes('\0')) fail(`${path}.uri`, 'must not contain NUL');
    return { kind: 'magnet', uri };
  }
  return fail(`${path}.kind`, "must be 'torrent' or 'magnet'");
}

function fileIndex(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, 'must be a non-negative integer file index');
  return v;
}

function fileIndices(v: unknown, path: string): number[] {
  const a = array(v, path, LIMITS.maxFiles, 1);
  const out: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < a.length; i++) {
    const f = fileIndex(a[i], `${path}[${i}]`);
    if (seen.has(f)) fail(`${path}[${i}]`, 'repeats an earlier file index');
    seen.add(f);
    out.push(f);
  }
  return out;
}

function priorities(v: unknown, path: string): FilePriority[] {
  const a = array(v, path, LIMITS.maxFiles);
  const out: FilePriority[] = [];
  for (let i = 0; i < a.length; i++) out.push(oneOf(a[i], `${path}[${i}]`, FILE_PRIORITIES));
  return out;
}

function topics(v: unknown, path: string): DetailTopic[] {
  const a = array(v, path, DETAIL_TOPICS.length);
  const out: DetailTopic[] = [];
  for (let i = 0; i < a.length; i++) {
    const t = oneOf(a[i], `${path}[${i}]`, DETAIL_TOPICS);
    if (out.includes(t)) fail(`${path}[${i}]`, 'repeats an earlier topic');
    out.push(t);
  }
  return out;
}

const COMMAND_KEYS: { [K in CommandType]: readonly string[] } = {
  add: ['source', 'savePath', 'paused', 'filePriorities', 'queueTop', 'stopAfterMetadata'],
  inspect: ['source'],
  remove: ['ids', 'deleteData'],
  addPeers: ['id', 'peers'],
  pause: ['ids'],
  resume: ['ids'],
  forceStart: ['ids', 'enabled'],
  recheck: ['ids'],
  queueMove: ['ids', 'to'],
  setFilePriority: ['id', 'files', 'priority'],
  setTorrentOptions: ['id', 'options'],
  renameFile: ['id', 'file', 'newPath'],
  moveStorage: ['id', 'savePath'],
  getInfo: ['id'],
  getSettings: [],
  setSettings: ['settings'],
  subscribe: ['id', 'topics'],
  snapshot: [],
  checkPath: ['path'],
  reannounce: ['ids'],
  banPeer: ['id', 'peer'],
  createTorrent: ['path', 'trackers', 'webSeeds', 'pieceLength', 'private', 'comment', 'format', 'seed'],
  streamUrl: ['id', 'file'],
};

export function parseCommand(v: unknown, path: string): Command {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  const type = own(v, 'type');
  if (!isCommandType(type)) {
    fail(`${path}.type`, typeof type === 'string' ? 'is not a known command' : 'must be a command name string');
  }
  knownKeys(v, path, ['type', ...COMMAND_KEYS[type]]);
  const f = (k: string): unknown => own(v, k);
  const p = (k: string): string => `${path}.${k}`;
  switch (type) {
    case 'add': {
      const cmd: Extract<Command, { type: 'add' }> = { type, source: addSource(f('source'), p('source')) };
      if (f('savePath') !== undefined) cmd.savePath = absolutePath(f('savePath'), p('savePath'), false);
      if (f('paused') !== undefined) cmd.paused = bool(f('paused'), p('paused'));
      if (f('filePriorities') !== undefined) cmd.filePriorities = priorities(f('filePriorities'), p('filePriorities'));
      if (f('queueTop') !== undefined) cmd.queueTop = bool(f('queueTop'), p('queueTop'));
      if (f('stopAfterMetadata') !== undefined) cmd.stopAfterMetadata = bool(f('stopAfterMetadata'), p('stopAfterMetadata'));
      return cmd;
    }
    case 'inspect':
      return { type, source: addSource(f('source'), p('source')) };
    case 'remove':
      return { type, ids: torrentIds(f('ids'), p('ids')), deleteData: bool(f('deleteData'), p('deleteData')) };
    case 'pause':
    case 'resume':
      return { type, ids: idsOrAll(f('ids'), p('ids')) };
    case 'forceStart':
      return { type, ids: torrentIds(f('ids'), p('ids')), enabled: bool(f('enabled'), p('enabled')) };
    case 'recheck':
      return { type, ids: torrentIds(f('ids'), p('ids')) };
    case 'queueMove':
      return { type, ids: torrentIds(f('ids'), p('ids')), to: oneOf(f('to'), p('to'), QUEUE_MOVES) };
    case 'setFilePriority':
      return {
        type,
        id: torrentId(f('id'), p('id')),
        files: fileIndices(f('files'), p('files')),
        priority: oneOf(f('priority'), p('priority'), FILE_PRIORITIES),
      };
    case 'setTorrentOptions':
      return { type, id: torrentId(f('id'), p('id')), options: torrentOptions(f('options'), p('options')) };
    case 'renameFile':
      return {
        type,
        id: torrentId(f('id'), p('id')),
        file: fileIndex(f('file'), p('file')),
        newPath: relativePath(f('newPath'), p('newPath')),
      };
    case 'moveStorage':
      return { type, id: torrentId(f('id'), p('id')), savePath: absolutePath(f('savePath'), p('savePath'), false) };
    case 'getInfo':
      return { type, id: torrentId(f('id'), p('id')) };
    case 'streamUrl':
      return { type, id: torrentId(f('id'), p('id')), file: fileIndex(f('file'), p('file')) };
    case 'checkPath':
      return { type, path: fsPath(f('path'), p('path'), true) };
    case 'reannounce':
      return { type, ids: torrentIds(f('ids'), p('ids')) };
    case 'banPeer': {
      const peer = f('peer');
      if (typeof peer !== 'string' || !PEER_RE.test(peer)) fail(p('peer'), 'must look like host:port or [v6]:port');
      return { type, id: torrentId(f('id'), p('id')), peer: peer as string };
    }
    case 'createTorrent': {
      const pieceLength = f('pieceLength');
      if (pieceLength !== null && (typeof pieceLength !== 'number' || !Number.isInteger(pieceLength) || pieceLength < 16_384 || pieceLength > 16 * 1024 * 1024 || (pieceLength & (pieceLength - 1)) !== 0)) {
        fail(p('pieceLength'), 'must be null (automatic) or a power of two from 16 KiB to 16 MiB');
      }
      const comment = f('comment');
      if (typeof comment !== 'string' || comment.length > 4096) fail(p('comment'), 'must be a string of at most 4096 characters');
      return {
        type,
        path: absolutePath(f('path'), p('path'), false),
        trackers: trackerTiers(f('trackers'), p('trackers')),
        webSeeds: webSeeds(f('webSeeds'), p('webSeeds')),
        pieceLength: pieceLength as number | null,
        private: bool(f('private'), p('private')),
        comment: comment as string,
        format: oneOf(f('format'), p('format'), ['v1', 'v2', 'hybrid'] as const),
        seed: bool(f('seed'), p('seed')),
      };
    }
    case 'getSettings':
    case 'snapshot':
      return { type };
    case 'setSettings':
      return { type, settings: parseSettingsPatch(f('settings'), p('settings')) };
    case 'subscribe': {
      const id = f('id');
      if (id !== null && !isTorrentId(id)) fail(p('id'), 'must be null or a 40-character lowercase hex info hash');
      return { type, id, topics: topics(f('topics'), p('topics')) };
    }
    case 'addPeers': {
      const id = f('id');
      if (!isTorrentId(id)) fail(p('id'), 'must be a 40-character lowercase hex info hash');
      const peers = f('peers');
      if (!Array.isArray(peers) || peers.length === 0 || peers.length > 1000) fail(p('peers'), 'must be a list of 1 to 1000 "host:port" strings');
      const out: string[] = [];
      (peers as unknown[]).forEach((peer, i) => {
        if (typeof peer !== 'string' || !PEER_RE.test(peer)) fail(`${p('peers')}[${i}]`, 'must look like host:port or [v6]:port');
        out.push(peer as string);
      });
      return { type, id: id as string, peers: out };
    }
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  COMMAND_TYPES,
  DEFAULT_SETTINGS,
  SETTINGS_KEYS,
  formatApiError,
  mergeSettings,
  settingsConflict,
  parseRequest,
  validateCommand,
  validateSettings,
  validateSettingsPatch,
  type Command,
  type Request,
  type Settings,
} from './index.js';

const A = 'a'.repeat(40);
const B = '0123456789abcdef0123456789abcdef01234567';
const req = (command: unknown, requestId: unknown = 7): unknown => ({ kind: 'request', requestId, command });

const short = (v: unknown): string => {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) ? `<${x.byteLength} bytes>` : Array.isArray(x) && x.length > 10 ? `<${x.length} entries>` : x)).slice(0, 300);
  } catch {
    return String(v);
  }
};

function ok(command: Command): void {
  const r = parseRequest(req(command));
  if (!r.ok) assert.fail(`expected ok for ${short(command)}: ${r.error.message}`);
  assert.deepEqual(r.request, { kind: 'request', requestId: 7, command });
  assert.notEqual(r.request.command, command, 'a fresh copy');
}

function bad(command: unknown, message: string | RegExp): void {
  const r = parseRequest(req(command));
  if (r.ok) assert.fail(`expected an error for ${short(command)}`);
  assert.equal(r.requestId, 7);
  assert.equal(r.error.name, 'InvalidCommand');
  if (typeof message === 'string') assert.equal(r.error.message, message, short(command));
  else assert.match(r.error.message, message, short(command));
}

const torrentBytes = new TextEncoder().encode('d4:infod4:name1:xee');

const valid: Command[] = [
  { type: 'add', source: { kind: 'torrent', data: torrentBytes } },
  { type: 'add', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${A}` }, savePath: '/tmp/x', paused: true, filePriorities: ['skip', 'high'], queueTop: false },
  { type: 'add', source: { kind: 'magnet', uri: 'MAGNET:?xt=urn:btih:x' }, filePriorities: [] },
  { type: 'add', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${A}` }, stopAfterMetadata: true },
  { type: 'inspect', source: { kind: 'torrent', data: torrentBytes } },
  { type: 'inspect', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${A}&dn=x` } },
  { type: 'remove', ids: [A, B], deleteData: false },
  { type: 'pause', ids: 'all' },
  { type: 'pause', ids: [A] },
  { type: 'resume', ids: 'all' },
  { type: 'resume', ids: [B] },
  { type: 'forceStart', ids: [A], enabled: true },
  { type: 'recheck', ids: [A] },
  { type: 'queueMove', ids: [A, B], to: 'bottom' },
  { type: 'setFilePriority', id: A, files: [0, 3, 2], priority: 'low' },
  { type: 'setTorrentOptions', id: A, options: {} },
  {
    type: 'setTorrentOptions',
    id: A,
    options: { downloadLimit: null, uploadLimit: 0, sequential: true, firstLastPiecesFirst: false, ratioLimit: 1.5, seedTimeLimitMinutes: null, maxConnections: 50 },
  },
  { type: 'renameFile', id: A, file: 0, newPath: 'dir/new name.mkv' },
  { type: 'renameFile', id: A, file: 12, newPath: 'a..b/.hidden/x' },
  { type: 'moveStorage', id: A, savePath: 'C:\\Downloads' },
  { type: 'getInfo', id: B },
  { type: 'getSettings' },
  { type: 'setSettings', settings: {} },
  { type: 'setSettings', settings: { listenPort: 0, downloadLimit: 2 ** 40, altSchedule: { days: [0, 6, 3], from: 1439, to: 0 }, ratioLimit: 0, dht: false } },
  { type: 'setSettings', settings: { ...DEFAULT_SETTINGS } },
  { type: 'subscribe', id: A, topics: ['peers', 'pieces'] },
  { type: 'subscribe', id: null, topics: [] },
  { type: 'snapshot' },
  { type: 'checkPath', path: '/data/downloads' },
  { type: 'reannounce', ids: [A] },
  { type: 'banPeer', id: A, peer: '10.0.0.2:6881' },
  { type: 'createTorrent', path: '/data/album', trackers: [['http://t.example/announce', 'udp://u.example:80'], ['https://v.example/a']], webSeeds: ['https://w.example/files/'], pieceLength: null, private: false, comment: '', format: 'hybrid', seed: true },
  // RSS (issue 17)
  { type: 'rssAddFeed', url: 'https://feeds.example/rss?key=1', name: 'Shows', intervalMinutes: 15 },
  { type: 'rssEditFeed', feedId: '0123456789abcdef', intervalMinutes: 60 },
  { type: 'rssRemoveFeed', feedId: '0123456789abcdef' },
  { type: 'rssRefresh', feedIds: 'all' },
  { type: 'rssList' },
  { type: 'rssSetRules', rules: [{ id: 'r1', name: 'Show', enabled: true, mustContain: 'show 1080p', mustNotContain: 'x265', useRegex: false, episodeFilter: 'S01E01-', smartFilter: true, feedIds: ['0123456789abcdef'], savePath: null, category: 'TV', addPaused: false }] },
  { type: 'rssMarkRead', feedId: '0123456789abcdef', itemIds: ['guid-1'] },
  { type: 'rssDownload', feedId: '0123456789abcdef', itemId: 'guid-1' },
  { type: 'rssPreview', rule: { id: 'r1', name: 'Show', enabled: true, mustContain: '^show', mustNotContain: '', useRegex: true, episodeFilter: '', smartFilter: false, feedIds: [], savePath: '/data/tv', category: null, addPaused: true } },
  { type: 'setTorrentOptions', id: A, options: { trackers: [['http://t.example/announce']] } },
  { type: 'addPeers', id: A, peers: ['127.0.0.1:6881', '[::1]:1'] },
  { type: 'diagnose', id: A },
  { type: 'add', source: { kind: 'magnet', uri: `magnet:?xt=urn:btih:${A}` }, category: 'Movies/4K', tags: ['a', 'hd'] },
  { type: 'setCategory', ids: [A, B], category: 'TV/Drama' },
  { type: 'setCategory', ids: [A], category: null },
  { type: 'setTags', ids: [A], add: ['hd'], remove: ['old'] },
  { type: 'setSettings', settings: { categories: [{ name: 'Movies', savePath: '/data/movies' }, { name: 'Movies/4K', savePath: null }] } },
  { type: 'streamUrl', id: A, file: 0 },
];

test('accepts a valid example of every command', () => {
  for (const c of valid) ok(c);
  const types = new Set(valid.map((c) => c.type));
  assert.deepEqual([...types].sort(), [...COMMAND_TYPES].sort(), 'every command type has a valid example');
});

test('rejects the request envelope', () => {
  const cases: [unknown, number | null, string][] = [
    [null, null, 'request must be an object'],
    [[1], null, 'request must be an object'],
    ['{}', null, 'request must be an object'],
    [{ kind: 'reply', requestId: 1, command: { type: 'snapshot' } }, 1, "kind must be 'request'"],
    [{ kind: 'request', requestId: -1, command: { type: 'snapshot' } }, null, 'requestId must be a non-negative safe integer'],
    [{ kind: 'request', requestId: 1.5, command: { type: 'snapshot' } }, null, 'requestId must be a non-negative safe integer'],
    [{ kind: 'request', requestId: 2 ** 53, command: { type: 'snapshot' } }, null, 'requestId must be a non-negative safe integer'],
    [{ kind: 'request', requestId: '1', command: { type: 'snapshot' } }, null, 'requestId must be a non-negative safe integer'],
    [{ kind: 'request', requestId: 3, command: { type: 'snapshot' }, extra: 1 }, 3, 'extra is not a known field'],
    [{ kind: 'request', requestId: 3 }, 3, 'command must be an object'],
    [{ kind: 'request', requestId: 3, command: { type: 'nope' } }, 3, 'command.type is not a known command'],
    [{ kind: 'request', requestId: 3, command: { type: 'toString' } }, 3, 'command.type is not a known command'],
    [{ kind: 'request', requestId: 3, command: {} }, 3, 'command.type must be a command name string'],
  ];
  for (const [raw, rid, message] of cases) {
    const r = parseRequest(raw);
    assert.ok(!r.ok);
    assert.deepEqual([r.requestId, r.error], [rid, { name: 'InvalidCommand', message }], JSON.stringify(raw));
  }
});

test('rejects invalid fields of every command, naming the field', () => {
  const C = 'c'.repeat(40);
  const cases: [unknown, string | RegExp][] = [
    // add
    [{ type: 'add' }, "command.source must be an object"],
    [{ type: 'add', source: { kind: 'file', path: '/x' } }, "command.source.kind must be 'torrent' or 'magnet'"],
    [{ type: 'add', source: { kind: 'torrent', data: [1, 2] } }, 'command.source.data must be a Uint8Array holding the .torrent file'],
    [{ type: 'add', source: { kind: 'torrent', data: new Uint16Array(4) } }, 'command.source.data must be a Uint8Array holding the .torrent file'],
    [{ type: 'add', source: { kind: 'torrent', data: new Uint8Array(0) } }, 'command.source.data must not be empty'],
    [{ type: 'add', source: { kind: 'torrent', data: new Uint8Array(64 * 1024 * 1024 + 1) } }, 'command.source.data must be at most 67108864 bytes'],
    [{ type: 'add', source: { kind: 'torrent', data: torrentBytes, uri: 'magnet:' } }, 'command.source.uri is not a known field'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'http://x' } }, "command.source.uri must be a string starting with 'magnet:'"],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' + 'x'.repeat(65536) } }, 'command.source.uri must be at most 65536 characters'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:\0' } }, 'command.source.uri must not contain NUL'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, savePath: '' }, 'command.savePath must not be empty'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, savePath: 'downloads' }, 'command.savePath must be an absolute path (starting with / or a drive letter), not "downloads"'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, savePath: './x' }, 'command.savePath must be an absolute path (starting with / or a drive letter), not "./x"'],
    [{ type: 'moveStorage', id: C, savePath: '../elsewhere' }, 'command.savePath must be an absolute path (starting with / or a drive letter), not "../elsewhere"'],
    [{ type: 'moveStorage', id: C, savePath: 'C:relative' }, 'command.savePath must be an absolute path (starting with / or a drive letter), not "C:relative"'],
    [{ type: 'setSettings', settings: { downloadDir: 'dl' } }, 'command.settings.downloadDir must be an absolute path (starting with / or a drive letter), not "dl"'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, savePath: 'x'.repeat(4097) }, 'command.savePath must be at most 4096 characters'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, savePath: 'a\0b' }, 'command.savePath must not contain NUL'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, savePath: null }, 'command.savePath must be a string'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, paused: 'yes' }, 'command.paused must be a boolean'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, queueTop: 1 }, 'command.queueTop must be a boolean'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, stopAfterMetadata: 'yes' }, 'command.stopAfterMetadata must be a boolean'],
    // inspect
    [{ type: 'inspect' }, 'command.source must be an object'],
    [{ type: 'inspect', source: { kind: 'torrent', data: 'd4:infoe' } }, 'command.source.data must be a Uint8Array holding the .torrent file'],
    [{ type: 'inspect', source: { kind: 'torrent', data: new Uint8Array(0) } }, 'command.source.data must not be empty'],
    [{ type: 'inspect', source: { kind: 'magnet', uri: 'http://x' } }, "command.source.uri must be a string starting with 'magnet:'"],
    [{ type: 'inspect', source: { kind: 'magnet', uri: 'magnet:' }, savePath: '/x' }, 'command.savePath is not a known field'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, filePriorities: ['normal', 'urgent'] }, "command.filePriorities[1] must be one of 'skip', 'low', 'normal', 'high'"],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, filePriorities: 'normal' }, 'command.filePriorities must be an array'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, label: 'x' }, 'command.label is not a known field'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, category: 'a//b' }, 'command.category "a//b" has an empty level: remove the extra "/"'],
    [{ type: 'add', source: { kind: 'magnet', uri: 'magnet:' }, tags: ['ok', ''] }, 'command.tags[1] the tag is empty: type a word like "hd"'],
    [{ type: 'setCategory', ids: [A], category: 5 }, 'command.category must be a category name string like "Movies/4K"'],
    [{ type: 'setTags', ids: [A], add: 'hd' }, 'command.add must be an array'],
    [{ type: 'setTags', ids: [A] }, 'command must name at least one tag to add or remove'],
    // remove
    [{ type: 'remove', ids: [A] }, 'command.deleteData must be a boolean'],
    [{ type: 'remove', ids: [], deleteData: true }, 'command.ids must have 1 to 10000 entries'],
    [{ type: 'remove', ids: Array.from({ length: 10_001 }, () => A), deleteData: true }, 'command.ids must have 1 to 10000 entries'],
    [{ type: 'remove', ids: [A, B, A.toUpperCase()], deleteData: true }, 'command.ids[2] must be a 40-character lowercase hex info hash'],
    [{ type: 'remove', ids: [A, B, A], deleteData: true }, 'command.ids[2] repeats an earlier id'],
    [{ type: 'remove', ids: [A.slice(1)], deleteData: true }, 'command.ids[0] must be a 40-character lowercase hex info hash'],
    [{ type: 'remove', ids: A, deleteData: true }, 'command.ids must be an array'],
    // pause / resume
    [{ type: 'pause', ids: 'ALL' }, "command.ids must be 'all' or an array of info hashes"],
    [{ type: 'pause' }, "command.ids must be 'all' or an array of info hashes"],
    [{ type: 'resume', ids: [null] }, 'command.ids[0] must be a 40-character lowercase hex info hash'],
    [{ type: 'resume', ids: 'all', deleteData: true }, 'command.deleteData is not a known field'],
    // forceStart, recheck, queueMove
    [{ type: 'forceStart', ids: [A], enabled: 'true' }, 'command.enabled must be a boolean'],
    [{ type: 'recheck', ids: 'all' }, 'command.ids must be an array'],
    [{ type: 'queueMove', ids: [A], to: 'first' }, "command.to must be one of 'up', 'down', 'top', 'bottom'"],
    [{ type: 'queueMove', ids: [A], to: 3 }, "command.to must be one of 'up', 'down', 'top', 'bottom'"],
    // setFilePriority
    [{ type: 'setFilePriority', id: C, files: [0, -1], priority: 'low' }, 'command.files[1] must be a non-negative integer file index'],
    [{ type: 'setFilePriority', id: C, files: [1.5], priority: 'low' }, 'command.files[0] must be a non-negative integer file index'],
    [{ type: 'setFilePriority', id: C, files: [NaN], priority: 'low' }, 'command.files[0] must be a non-negative integer file index'],
    [{ type: 'setFilePriority', id: C, files: [1, 1], priority: 'low' }, 'command.files[1] repeats an earlier file index'],
    [{ type: 'setFilePriority', id: C, files: [], priority: 'low' }, 'command.files must have 1 to 1000000 entries'],
    [{ type: 'setFilePriority', id: C, files: [0], priority: 'max' }, "command.priority must be one of 'skip', 'low', 'normal', 'high'"],
    [{ type: 'setFilePriority', id: [C], files: [0], priority: 'low' }, 'command.id must be a 40-character lowercase hex info hash'],
    // setTorrentOptions
    [{ type: 'setTorrentOptions', id: C }, 'command.options must be an object'],
    [{ type: 'setTorrentOptions', id: C, options: { speed: 1 } }, 'command.options.speed is not a known field'],
    [{ type: 'setTorrentOptions', id: C, options: { downloadLimit: -1 } }, 'command.options.downloadLimit must be null (unlimited) or an integer from 0 to 1099511627776 bytes/s'],
    [{ type: 'setTorrentOptions', id: C, options: { uploadLimit: 2 ** 40 + 1 } }, /^command\.options\.uploadLimit must be null/],
    [{ type: 'setTorrentOptions', id: C, options: { uploadLimit: 10.5 } }, /^command\.options\.uploadLimit must be null/],
    [{ type: 'setTorrentOptions', id: C, options: { uploadLimit: Infinity } }, /^command\.options\.uploadLimit must be null/],
    [{ type: 'setTorrentOptions', id: C, options: { sequential: null } }, 'command.options.sequential must be a boolean'],
    [{ type: 'setTorrentOptions', id: C, options: { ratioLimit: 10_001 } }, 'command.options.ratioLimit must be a number from 0 to 10000'],
    [{ type: 'setTorrentOptions', id: C, options: { ratioLimit: NaN } }, 'command.options.ratioLimit must be a number from 0 to 10000'],
    [{ type: 'setTorrentOptions', id: C, options: { seedTimeLimitMinutes: 1e6 + 1 } }, 'command.options.seedTimeLimitMinutes must be an integer from 0 to 1000000'],
    [{ type: 'setTorrentOptions', id: C, options: { maxConnections: 0 } }, 'command.options.maxConnections must be an integer from 1 to 65535'],
    [{ type: 'setTorrentOptions', id: C, options: [] }, 'command.options must be an object'],
    [{ type: 'setTorrentOptions', id: C, options: new Map() }, 'command.options must be an object'],
    // renameFile
    [{ type: 'renameFile', id: C, file: 0, newPath: '' }, 'command.newPath must not be empty'],
    [{ type: 'renameFile', id: C, file: 0, newPath: '/etc/passwd' }, "command.newPath must be relative (no leading '/')"],
    [{ type: 'renameFile', id: C, file: 0, newPath: 'a/../../b' }, "command.newPath must not contain a '..' component"],
    [{ type: 'renameFile', id: C, file: 0, newPath: '..' }, "command.newPath must not contain a '..' component"],
    [{ type: 'renameFile', id: C, file: 0, newPath: 'a\\..\\b' }, "command.newPath must use '/' as the separator (no '\\')"],
    [{ type: 'renameFile', id: C, file: 0, newPath: 'C:x' }, 'command.newPath must be relative (no drive letter)'],
    [{ type: 'renameFile', id: C, file: 0, newPath: 'a//b' }, "command.newPath must not contain empty or '.' components"],
    [{ type: 'renameFile', id: C, file: 0, newPath: 'a/' }, "command.newPath must not contain empty or '.' components"],
    [{ type: 'renameFile', id: C, file: 0, newPath: './a' }, "command.newPath must not contain empty or '.' components"],
    [{ type: 'renameFile', id: C, file: 0, newPath: 'a\0' }, 'command.newPath must not contain NUL'],
    [{ type: 'renameFile', id: C, file: -1, newPath: 'a' }, 'command.file must be a non-negative integer file index'],
    [{ type: 'streamUrl', id: C, file: 1.5 }, 'command.file must be a non-negative integer file index'],
    [{ type: 'renameFile', id: C, file: '0', newPath: 'a' }, 'command.file must be a non-negative integer file index'],
    // moveStorage, getInfo, getSettings, snapshot
    [{ type: 'moveStorage', id: C, savePath: '' }, 'command.savePath must not be empty'],
    [{ type: 'moveStorage', id: C }, 'command.savePath must be a string'],
    [{ type: 'getInfo' }, 'command.id must be a 40-character lowercase hex info hash'],
    [{ type: 'getInfo', id: 'g'.repeat(40) }, 'command.id must be a 40-character lowercase hex info hash'],
    [{ type: 'diagnose', id: 'ABC' }, 'command.id must be a 40-character lowercase hex info hash'],
    [{ type: 'getSettings', id: C }, 'command.id is not a known field'],
    [{ type: 'snapshot', seq: 1 }, 'command.seq is not a known field'],
    // setSettings
    [{ type: 'setSettings' }, 'command.settings must be an object'],
    [{ type: 'setSettings', settings: { theme: 'dark' } }, 'command.settings.theme is not a known field'],
    [{ type: 'setSettings', settings: { ['a b']: 1 } }, 'command.settings["a b"] is not a known field'],
    [{ type: 'setSettings', settings: JSON.parse('{"__proto__": {"x": 1}}') as unknown }, 'command.settings.__proto__ is not a known field'],
    [{ type: 'setSettings', settings: { listenPort: 65536 } }, 'command.settings.listenPort must be an integer from 0 to 65535'],
    [{ type: 'setSettings', settings: { listenPort: null } }, 'command.settings.listenPort must be an integer from 0 to 65535'],
    [{ type: 'setSettings', settings: { downloadDir: 5 } }, 'command.settings.downloadDir must be a string'],
    [{ type: 'setSettings', settings: { maxActiveDownloads: 0 } }, 'command.settings.maxActiveDownloads must be an integer from 1 to 10000'],
    [{ type: 'setSettings', settings: { maxActiveSeeds: 10_001 } }, 'command.settings.maxActiveSeeds must be an integer from 1 to 10000'],
    [{ type: 'setSettings', settings: { stalledAfterMinutes: -1 } }, 'command.settings.stalledAfterMinutes must be an integer from 0 to 1000000'],
    [{ type: 'setSettings', settings: { altDownloadLimit: '100' } }, /^command\.settings\.altDownloadLimit must be null/],
    [{ type: 'setSettings', settings: { altLimitsEnabled: 0 } }, 'command.settings.altLimitsEnabled must be a boolean'],
    [{ type: 'setSettings', settings: { altSchedule: { days: [1, 1], from: 0, to: 60 } } }, 'command.settings.altSchedule.days[1] repeats an earlier day'],
    [{ type: 'setSettings', settings: { altSchedule: { days: [7], from: 0, to: 60 } } }, 'command.settings.altSchedule.days[0] must be an integer from 0 to 6'],
    [{ type: 'setSettings', settings: { altSchedule: { days: [1], from: 0, to: 1440 } } }, 'command.settings.altSchedule.to must be an integer from 0 to 1439'],
    [{ type: 'setSettings', settings: { altSchedule: { days: [1], to: 1 } } }, 'command.settings.altSchedule.from must be an integer from 0 to 1439'],
    [{ type: 'setSettings', settings: { altSchedule: { days: [1], from: 0, to: 1, tz: 'UTC' } } }, 'command.settings.altSchedule.tz is not a known field'],
    [{ type: 'setSettings', settings: { maxConnections: 0 } }, 'command.settings.maxConnections must be an integer from 1 to 65535'],
    [{ type: 'setSettings', settings: { maxConnectionsPerTorrent: 1.5 } }, 'command.settings.maxConnectionsPerTorrent must be an integer from 1 to 65535'],
    [{ type: 'setSettings', settings: { uploadSlotsPerTorrent: 0 } }, 'command.settings.uploadSlotsPerTorrent must be an integer from 1 to 10000'],
    [{ type: 'setSettings', settings: { ratioLimit: -0.1 } }, 'command.settings.ratioLimit must be a number from 0 to 10000'],
    [{ type: 'setSettings', settings: { seedTimeLimitMinutes: 0.5 } }, 'command.settings.seedTimeLimitMinutes must be an integer from 0 to 1000000'],
    [{ type: 'setSettings', settings: { seedGoalAction: 'delete' } }, "command.settings.seedGoalAction must be one of 'pause', 'remove'"],
    [{ type: 'setSettings', settings: { pex: 'on' } }, 'command.settings.pex must be a boolean'],
    // subscribe
    [{ type: 'subscribe', id: C, topics: ['peers', 'peers'] }, 'command.topics[1] repeats an earlier topic'],
    [{ type: 'subscribe', id: C, topics: ['chat'] }, "command.topics[0] must be one of 'peers', 'files', 'trackers', 'pieces'"],
    [{ type: 'subscribe', topics: [] }, 'command.id must be null or a 40-character lowercase hex info hash'],
    [{ type: 'subscribe', id: null }, 'command.topics must be an array'],
  ];
  for (const [command, message] of cases) bad(command, message);
  assert.ok(cases.length > 90);
});

test('formatApiError prefixes the error name', () => {
  const r = parseRequest(req({ type: 'remove', ids: [A, B, 'x'], deleteData: true }));
  assert.ok(!r.ok);
  assert.equal(formatApiError(r.error), 'InvalidCommand: command.ids[2] must be a 40-character lowercase hex info hash');
});

test('save paths and the download folder are normalised at the boundary', () => {
  const cases: [string, string][] = [
    ['/srv//data/./x/../films/', '/srv/data/films'],
    ['/..', '/'],
    ['/', '/'],
    ['C:\\Users\\me\\..\\Downloads\\', 'C:\\Users\\Downloads'],
    ['d:/a/b', 'd:\\a\\b'],
    ['C:\\', 'C:\\'],
    ['\\\\nas\\share\\films\\.\\', '\\\\nas\\share\\films'],
  ];
  for (const [given, normalised] of cases) {
    const r = parseRequest(req({ type: 'moveStorage', id: A, savePath: given }));
    assert.ok(r.ok, given);
    assert.deepEqual(r.request.command, { type: 'moveStorage', id: A, savePath: normalised }, given);
  }
  const s = parseRequest(req({ type: 'setSettings', settings: { downloadDir: '/home/me/Downloads/' } }));
  assert.ok(s.ok);
  assert.deepEqual(s.request.command, { type: 'setSettings', settings: { downloadDir: '/home/me/Downloads' } });
});

test('explicit undefined optional fields are dropped; a hostile key name is quoted and truncated', () => {
  const r = parseRequest(req({ type: 'add', source: { kind: 'magnet', uri: 'magnet:?' }, savePath: undefined, paused: undefined }));
  assert.ok(r.ok);
  assert.deepEqual(r.request.command, { type: 'add', source: { kind: 'magnet', uri: 'magnet:?' } });
  assert.ok(!Object.hasOwn(r.request.command, 'savePath'));
  const s = parseRequest(req({ type: 'setSettings', settings: { dht: undefined } }));
  assert.ok(s.ok);
  assert.deepEqual(s.request.command, { type: 'setSettings', settings: {} });
  const long = parseRequest(req({ type: 'snapshot', ['"' + 'x'.repeat(1000)]: 1 }));
  assert.ok(!long.ok);
  assert.ok(long.error.message.length < 120, long.error.message);
});

test('objects from another realm or with a null prototype are accepted; class instances are not', () => {
  const nullProto = Object.assign(Object.create(null) as object, { type: 'getInfo', id: A });
  assert.ok(parseRequest(req(nullProto)).ok);
  class Cmd {
    type = 'snapshot';
  }
  bad(new Cmd(), 'command must be an object');
  bad(new Date(), 'command must be an object');
});

test('a throwing Proxy or getter yields an error, not an exception', () => {
  const trap = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('boom');
      },
      getOwnPropertyDescriptor() {
        throw new Error('boom');
      },
      get() {
        throw new Error('boom');
      },
      getPrototypeOf() {
        throw new Error('boom');
      },
    },
  );
  for (const raw of [trap, req(trap), req({ type: 'setSettings', settings: trap })]) {
    const r = parseRequest(raw);
    assert.ok(!r.ok);
    assert.equal(r.error.name, 'InvalidCommand');
  }
  const getter = { type: 'getInfo', get id(): string {
    throw new Error('boom');
  } };
  const r = parseRequest(req(getter));
  assert.ok(!r.ok);
  assert.deepEqual(r.error, { name: 'InvalidCommand', message: 'the value could not be read' });
  assert.equal(r.requestId, 7);
});

test('a Uint8Array from a subclass (Buffer) or another view is accepted; a faked tag is not', () => {
  ok({ type: 'add', source: { kind: 'torrent', data: Buffer.from('d1:ai1ee') } });
  const fake = { [Symbol.toStringTag]: 'Uint8Array', byteLength: 3, length: 3 };
  bad({ type: 'add', source: { kind: 'torrent', data: fake } }, 'command.source.data must be a Uint8Array holding the .torrent file');
  bad({ type: 'add', source: { kind: 'torrent', data: new DataView(new ArrayBuffer(4)) } }, 'command.source.data must be a Uint8Array holding the .torrent file');
});

test('validateCommand checks a bare command', () => {
  assert.deepEqual(validateCommand({ type: 'snapshot' }), { ok: true, value: { type: 'snapshot' } });
  assert.deepEqual(validateCommand({ type: 'getInfo', id: 1 }), {
    ok: false,
    error: { name: 'InvalidCommand', message: 'command.id must be a 40-character lowercase hex info hash' },
  });
});

test('settings: tcp and utp cannot both be off, in a patch or once merged', () => {
  assert.deepEqual(validateSettingsPatch({ tcp: false, utp: false }), {
    ok: false,
    error: { name: 'InvalidSettings', message: 'settings tcp and utp cannot both be off: keep at least one transport on' },
  });
  assert.deepEqual(validateSettingsPatch({ tcp: false, preferUtp: false }), { ok: true, value: { tcp: false, preferUtp: false } });
  assert.equal(settingsConflict(mergeSettings(DEFAULT_SETTINGS, { tcp: false })), null);
  assert.match(settingsConflict(mergeSettings({ ...DEFAULT_SETTINGS, utp: false }, { tcp: false })) ?? '', /keep at least one transport on/);
});

test('settings: defaults are valid and complete; validateSettings requires every key; merge', () => {
  assert.deepEqual(validateSettings(DEFAULT_SETTINGS), { ok: true, value: { ...DEFAULT_SETTINGS } });
  assert.equal(SETTINGS_KEYS.length, 30);
  assert.deepEqual([...SETTINGS_KEYS].sort(), Object.keys(DEFAULT_SETTINGS).sort());
  const { lsd: _lsd, ...missing } = DEFAULT_SETTINGS;
  assert.deepEqual(validateSettings(missing), { ok: false, error: { name: 'InvalidSettings', message: 'settings.lsd is missing' } });
  assert.deepEqual(validateSettings({ ...DEFAULT_SETTINGS, colour: 'red' }), {
    ok: false,
    error: { name: 'InvalidSettings', message: 'settings.colour is not a known field' },
  });
  assert.deepEqual(validateSettings({ ...DEFAULT_SETTINGS, listenPort: -1 }), {
    ok: false,
    error: { name: 'InvalidSettings', message: 'settings.listenPort must be an integer from 0 to 65535' },
  });
  assert.deepEqual(validateSettings('nope'), { ok: false, error: { name: 'InvalidSettings', message: 'settings must be an object' } });
  assert.deepEqual(validateSettings({ ...DEFAULT_SETTINGS, encryption: 'always' }), {
    ok: false,
    error: { name: 'InvalidSettings', message: "settings.encryption must be one of 'prefer', 'require', 'disable'" },
  });
  const patch = validateSettingsPatch({ listenPort: 5000, altSchedule: { days: [1], from: 60, to: 120 } });
  assert.ok(patch.ok);
  const merged: Settings = mergeSettings(DEFAULT_SETTINGS, patch.value);
  assert.deepEqual(merged, { ...DEFAULT_SETTINGS, listenPort: 5000, altSchedule: { days: [1], from: 60, to: 120 } });
  assert.equal(DEFAULT_SETTINGS.listenPort, 6881, 'defaults untouched');
  assert.ok(Object.isFrozen(DEFAULT_SETTINGS));
  assert.deepEqual(mergeSettings(DEFAULT_SETTINGS, { dht: undefined }), DEFAULT_SETTINGS);
});

// ---------------------------------------------------------------------------------------------
// Property tests

const hexId = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
const ids = fc.uniqueArray(hexId, { minLength: 1, maxLength: 4 });
const priority = fc.constantFrom('skip' as const, 'low' as const, 'normal' as const, 'high' as const);
const rateArb = fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: null });
const segment = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[/\\\0]/.test(s) && s !== '.' && s !== '..');
/** Absolute and already normalised, so a valid command comes back unchanged. */
const pathArb = fc.array(segment, { maxLength: 3 }).map((p) => `/${p.join('/')}`);
const relPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((p) => p.join('/')).filter((s) => !/^[A-Za-z]:/.test(s));
const ratioArb = fc.option(fc.double({ min: 0, max: 10_000, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)), { nil: null });
const minutesArb = fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: null });
const scheduleArb = fc.record({
  days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }),
  from: fc.integer({ min: 0, max: 1439 }),
  to: fc.integer({ min: 0, max: 1439 }),
});
const settingsPatch = fc.record(
  {
    downloadDir: fc.oneof(fc.constant(''), pathArb),
    listenPort: fc.integer({ min: 0, max: 65535 }),
    maxActiveDownloads: fc.integer({ min: 1, max: 10_000 }),
    maxActiveSeeds: fc.integer({ min: 1, max: 10_000 }),
    stalledAfterMinutes: fc.integer({ min: 0, max: 1e6 }),
    downloadLimit: rateArb,
    uploadLimit: rateArb,
    altDownloadLimit: rateArb,
    altUploadLimit: rateArb,
    altLimitsEnabled: fc.boolean(),
    altSchedule: fc.option(scheduleArb, { nil: null }),
    maxConnections: fc.integer({ min: 1, max: 65535 }),
    maxConnectionsPerTorrent: fc.integer({ min: 1, max: 65535 }),
    uploadSlotsPerTorrent: fc.integer({ min: 1, max: 10_000 }),
    ratioLimit: ratioArb,
    seedTimeLimitMinutes: minutesArb,
    seedGoalAction: fc.constantFrom('pause' as const, 'remove' as const),
    dht: fc.boolean(),
    pex: fc.boolean(),
    lsd: fc.boolean(),
    encryption: fc.constantFrom('prefer' as const, 'require' as const, 'disable' as const),
  },
  { requiredKeys: [] },
);
const idsOrAll = fc.oneof(ids, fc.constant('all' as const));

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record(
    {
      type: fc.constant('add' as const),
      source: fc.oneof(
        fc.record({ kind: fc.constant('torrent' as const), data: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
        fc.record({ kind: fc.constant('magnet' as const), uri: fc.string({ maxLength: 40 }).map((s) => 'magnet:' + s.replaceAll('\0', '')) }),
      ),
      savePath: pathArb,
      paused: fc.boolean(),
      filePriorities: fc.array(priority, { maxLength: 5 }),
      queueTop: fc.boolean(),
    },
    { requiredKeys: ['type', 'source'] },
  ),
  fc.record({ type: fc.constant('remove' as const), ids, deleteData: fc.boolean() }),
  fc.record({ type: fc.constant('pause' as const), ids: idsOrAll }),
  fc.record({ type: fc.constant('resume' as const), ids: idsOrAll }),
  fc.record({ type: fc.constant('forceStart' as const), ids, enabled: fc.boolean() }),
  fc.record({ type: fc.constant('recheck' as const), ids }),
  fc.record({ type: fc.constant('queueMove' as const), ids, to: fc.constantFrom('up' as const, 'down' as const, 'top' as const, 'bottom' as const) }),
  fc.record({ type: fc.constant('setFilePriority' as const), id: hexId, files: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 5 }), priority }),
  fc.record({
    type: fc.constant('setTorrentOptions' as const),
    id: hexId,
    options: fc.record(
      {
        downloadLimit: rateArb,
        uploadLimit: rateArb,
        sequential: fc.boolean(),
        firstLastPiecesFirst: fc.boolean(),
        ratioLimit: ratioArb,
        seedTimeLimitMinutes: minutesArb,
        maxConnections: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ type: fc.constant('renameFile' as const), id: hexId, file: fc.nat(), newPath: relPath }),
  fc.record({ type: fc.constant('moveStorage' as const), id: hexId, savePath: pathArb }),
  fc.record({ type: fc.constant('getInfo' as const), id: hexId }),
  fc.constant({ type: 'getSettings' as const }),
  fc.record({ type: fc.constant('setSettings' as const), settings: settingsPatch }),
  fc.record({
    type: fc.constant('subscribe' as const),
    id: fc.option(hexId, { nil: null }),
    topics: fc.uniqueArray(fc.constantFrom('peers' as const, 'files' as const, 'trackers' as const, 'pieces' as const)),
  }),
  fc.constant({ type: 'snapshot' as const }),
);
const requestArb: fc.Arbitrary<Request> = fc.record({
  kind: fc.constant('request' as const),
  requestId: fc.nat(),
  command: commandArb,
});

test('property: every generated valid request is accepted and copied exactly', () => {
  fc.assert(
    fc.property(requestArb, (r) => {
      const p = parseRequest(r);
      assert.ok(p.ok, p.ok ? '' : p.error.message);
      assert.deepEqual(p.request, clone(r));
      // Idempotent: the output validates to itself.
      const again = parseRequest(p.request);
      assert.ok(again.ok);
      assert.deepEqual(again.request, p.request);
    }),
    { numRuns: 500 },
  );
});

test('property: arbitrary values never throw and always give a result', () => {
  const check = (raw: unknown): void => {
    const r = parseRequest(raw);
    assert.equal(typeof r.ok, 'boolean');
    if (!r.ok) {
      assert.equal(r.error.name, 'InvalidCommand');
      assert.equal(typeof r.error.message, 'string');
      assert.ok(r.requestId === null || Number.isSafeInteger(r.requestId));
    }
    for (const v of [validateSettings(raw), validateSettingsPatch(raw), validateCommand(raw)]) assert.equal(typeof v.ok, 'boolean');
  };
  fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 500 });
  fc.assert(fc.property(fc.json().map((s) => JSON.parse(s) as unknown), check), { numRuns: 300 });
  fc.assert(
    fc.property(
      fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true,
      }),
      (v) => {
        check(v);
        check(req(v));
        check(req({ type: 'setSettings', settings: v }));
      },
    ),
    { numRuns: 500 },
  );
});

type Json = unknown;
type Step = string | number;

/** Every path to an object or array inside v (including the root). */
function containers(v: Json, at: Step[] = [], out: Step[][] = []): Step[][] {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return out;
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => containers(x, [...at, i], out));
  else for (const [k, x] of Object.entries(v)) containers(x, [...at, k], out);
  return out;
}

function clone(v: Json): Json {
  if (ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map(clone);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  return v;
}

function at(v: Json, path: Step[]): Record<string | number, unknown> {
  let cur = v as Record<string | number, unknown>;
  for (const s of path) cur = cur[s] as Record<string | number, unknown>;
  return cur;
}

test('property: mutated valid requests never throw; errors keep the requestId', () => {
  const mutation = fc.record({
    which: fc.nat(),
    op: fc.constantFrom('replace', 'delete', 'add'),
    key: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'type', 'ids', 'toString')),
    value: fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(NaN, Infinity, -0, 2 ** 53, -1, 1.5, '', 'all', 'a'.repeat(40), 'A'.repeat(40), undefined, null, [], {}),
      fc.uint8Array({ maxLength: 4 }),
    ),
  });
  fc.assert(
    fc.property(requestArb, mutation, (r, m) => {
      const mutated = clone(r);
      const spots = containers(mutated);
      const path = spots[m.which % spots.length];
      const target = at(mutated, path);
      const keys = Object.keys(target);
      const key = Array.isArray(target) ? (keys.length > 0 ? Number(keys[m.which % keys.length]) : 0) : m.op === 'add' || keys.length === 0 ? m.key : keys[m.which % keys.length];
      if (m.op === 'delete') {
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
      } else if (Array.isArray(target) && m.op === 'add') target.push(m.value);
      else Object.defineProperty(target, key, { value: m.value, enumerable: true, writable: true, configurable: true });
      const p = parseRequest(mutated);
      assert.equal(typeof p.ok, 'boolean');
      if (p.ok) {
        const again = parseRequest(p.request);
        assert.ok(again.ok);
        assert.deepEqual(again.request, p.request);
      } else {
        assert.equal(p.error.name, 'InvalidCommand');
        if (path.length > 0 || (key !== 'requestId')) assert.equal(p.requestId, r.requestId);
      }
    }),
    { numRuns: 2000 },
  );
});

test('settings: partialPieceMemory is null (sized to the machine) or a byte count within bounds', () => {
  assert.ok(validateSettingsPatch({ partialPieceMemory: null }).ok);
  assert.ok(validateSettingsPatch({ partialPieceMemory: 64 * 2 ** 20 }).ok);
  assert.ok(!validateSettingsPatch({ partialPieceMemory: 1024 }).ok, 'below 16 MiB');
  assert.ok(!validateSettingsPatch({ partialPieceMemory: 1.5 * 2 ** 20 * 100 + 0.5 }).ok, 'not an integer');
});

test('settings: watch folders are absolute (normalised), listed once, with a known afterAdd; the pause schedule is a weekly schedule', () => {
  const folder = { path: '/srv/watch/', category: 'TV', startPaused: true, afterAdd: 'rename' };
  assert.deepEqual(validateSettingsPatch({ watchFolders: [folder] }), { ok: true, value: { watchFolders: [{ ...folder, path: '/srv/watch' }] } });
  const bad = (watchFolders: unknown): string => {
    const r = validateSettingsPatch({ watchFolders });
    return r.ok ? 'accepted' : r.error.message;
  };
  assert.match(bad([{ ...folder, path: 'watch' }]), /settings\.watchFolders\[0\]\.path must be an absolute path/);
  assert.match(bad([folder, { ...folder, path: '/srv/watch' }]), /settings\.watchFolders\[1\]\.path repeats "\/srv\/watch"/);
  assert.match(bad([{ ...folder, afterAdd: 'move' }]), /settings\.watchFolders\[0\]\.afterAdd must be one of/);
  assert.match(bad([{ ...folder, category: '' }]), /settings\.watchFolders\[0\]\.category must be a non-empty string/);
  assert.match(bad([{ ...folder, extra: 1 }]), /settings\.watchFolders\[0\]\.extra is not a known field/);
  assert.match(bad(Array.from({ length: 65 }, (_, i) => ({ ...folder, path: `/w/${i}` }))), /settings\.watchFolders/);
  assert.deepEqual(validateSettingsPatch({ pauseSchedule: { days: [0, 6], from: 60, to: 420 } }), { ok: true, value: { pauseSchedule: { days: [0, 6], from: 60, to: 420 } } });
  assert.equal(validateSettingsPatch({ pauseSchedule: { days: [1], from: 60, to: 1440 } }).ok, false);
});

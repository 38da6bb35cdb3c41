/**
 * The doctor (issue 17): why a torrent is not at full speed. Pure: a snapshot of facts in (gathered by
 * doctor-facts.ts from the torrent, its peers, trackers and the session), a ranked list of reasons out.
 * Most important first: what blocks downloading entirely, then what slows it, then what is worth knowing.
 */
import type { DiagnosisAction, DiagnosisCode, DiagnosisReason, EncryptionPolicy } from '../api/types.js';

/** Peers choking us for less than this are still getting to know us (choking is where every connection starts). */
export const CHOKE_GRACE_MS = 10_000;
/** A download rate at this share of a limit or more: the limit is what holds it. */
export const AT_LIMIT_SHARE = 0.7;
/** The disk has been behind for this long: it is not a blip. */
export const DISK_BUSY_MS = 3_000;
/** Files listed by name in the availability reason; the rest are counted. */
const MAX_FILES_NAMED = 3;

export interface TrackerFact {
  url: string;
  /** 'idle' before the first announce. */
  health: 'idle' | 'updating' | 'working' | 'error';
  error: string | null;
  /** Peers its last answer carried (undefined: never answered). */
  peers: number | null;
}

export interface MissingFile {
  path: string;
  missingBytes: number;
}

export interface DoctorFacts {
  now: number;
  /** The torrent's error, when it stopped with one. */
  error: string | null;
  /** Paused by the user (or by a goal: see goal). */
  paused: boolean;
  goal: { kind: 'ratio' | 'seedTime'; reason: string } | null;
  checking: boolean;
  fetchingMetadata: boolean;
  /** Waiting for a slot: its 0-based position and the slots that are full. */
  queued: { position: number; slots: number; queuedFor: 'download' | 'seed'; reason: string } | null;
  /** Running (a live torrent or a metadata fetch). */
  running: boolean;
  /** Every wanted byte is verified. */
  complete: boolean;
  downRate: number;
  trackers: TrackerFact[];
  /** `peersFound`: peer addresses this torrent's DHT lookups returned since the engine started. */
  dht: { enabled: boolean; nodes: number; private: boolean; peersFound: number };
  /** Peer addresses known (trackers, DHT, PEX, added by hand), connected or not. */
  knownPeers: number;
  /** Connected peers; `interesting`: those with a piece we want; `chokingInteresting`: of those, the ones choking us for CHOKE_GRACE_MS or more. */
  peers: { connected: number; interesting: number; chokingInteresting: number; longestChokeMs: number };
  /** Wanted pieces no connected peer has (null: not known, e.g. no peer sent its bitfield yet). */
  unavailable: { pieces: number; bytes: number; files: MissingFile[]; availablePiecesLeft: number } | null;
  limits: {
    /** The session's download limit in effect (alternative or normal), bytes/s; null: none. */
    global: number | null;
    /** The alternative limits are in effect: by hand or by their schedule. */
    alt: 'manual' | 'schedule' | null;
    /** This torrent's own download limit. */
    torrent: number | null;
  };
  encryption: { policy: EncryptionPolicy; refusedOutgoing: number; refusedIncoming: number };
  /** Since when the disk has been behind (write queue full), or null. */
  diskBusySince: number | null;
  /** Whether peers reach us: 'no' after a long time listening without any incoming connection; the port mapping's state when it runs. */
  port: { connectable: 'yes' | 'no' | 'unknown'; mapping: 'off' | 'mapping' | 'mapped' | 'failed' | null; message: string };
}

const SEVERITY_ORDER = { blocking: 0, limiting: 1, info: 2 } as const;

/** Ties within one severity: the more fundamental cause first (no peers at all before peers that choke). */
const CODE_ORDER: readonly DiagnosisCode[] = [
  'error',
  'checking',
  'goalReached',
  'paused',
  'queued',
  'metadata',
  'encryptionRefused',
  'noTrackers',
  'noPeers',
  'availability',
  'allChoking',
  'torrentLimit',
  'altLimit',
  'globalLimit',
  'diskBusy',
  'portUnreachable',
  'complete',
];

/** The reasons, most important first (empty when nothing holds the torrent back). */
export function diagnose(f: DoctorFacts): DiagnosisReason[] {
  const out: DiagnosisReason[] = [];
  stateReasons(f, out);
  // A magnet's metadata fetch has its own peers and trackers, not the torrent's: only 'metadata' is said of it.
  if (f.running && !f.complete && !f.checking && !f.fetchingMetadata) swarmReasons(f, out);
  if (f.running && !f.complete && !f.checking && !f.fetchingMetadata) limitReasons(f, out);
  if (f.running && f.port.connectable === 'no') {
    out.push(reason('portUnreachable', 'limiting', 'port not reachable', `No peer has connected to us: ${f.port.message}. Only peers we dial can trade with us.`, {}, null));
  } else if (f.running && f.port.mapping === 'failed') {
    out.push(reason('portUnreachable', 'info', 'port mapping failed', `Port mapping failed: ${f.port.message.replace(/^mapping failed: /, '')}.`, {}, null));
  }
  if (f.complete && !f.paused && f.error === null) out.push(reason('complete', 'info', 'complete', 'Every wanted file is complete: nothing left to download.', {}, null));
  return out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || CODE_ORDER.indexOf(a.code) - CODE_ORDER.indexOf(b.code));
}

/** Reasons that are states the Status column already shows (its label and the engine's stateReason). */
const STATE_CODES: ReadonlySet<DiagnosisCode> = new Set(['error', 'checking', 'goalReached', 'paused', 'queued', 'metadata']);

/**
 * The Status column's words: the short text of the top reason that is not a state the column already shows,
 * or null when nothing blocks or slows the torrent.
 */
export function whyOf(reasons: readonly DiagnosisReason[]): string | null {
  const top = reasons.find((r) => !STATE_CODES.has(r.code));
  return top && top.severity !== 'info' ? top.short : null;
}

function stateReasons(f: DoctorFacts, out: DiagnosisReason[]): void {
  if (f.error !== null) {
    out.push(reason('error', 'blocking', 'error', `It stopped with an error: ${f.error}. Resume it to try again.`, {}, action('resume', 'Resume')));
    return;
  }
  if (f.goal && f.paused) {
    out.push(reason('goalReached', 'blocking', `${f.goal.kind === 'ratio' ? 'ratio' : 'seeding time'} goal reached`, `Paused by the engine: ${f.goal.reason}.`, {}, action('ignoreGoal', 'Ignore the goal and resume')));
    return;
  }
  if (f.paused) {
    out.push(reason('paused', 'blocking', 'paused', 'It is paused.', {}, action('resume', 'Resume')));
    return;
  }
  if (f.checking) out.push(reason('checking', 'blocking', 'checking data', 'Its data on disk is being verified; it downloads once that is done.', {}, null));
  if (f.queued) {
    const { position, slots, queuedFor } = f.queued;
    out.push(
      reason(
        'queued',
        'blocking',
        `queued (#${position + 1})`,
        `Waiting for a ${queuedFor} slot: all ${slots} are in use (${f.queued.reason}); it is number ${position + 1} in the queue.`,
        { position: position + 1, slots },
        action('forceStart', 'Force start'),
      ),
    );
  }
  if (f.fetchingMetadata) out.push(reason('metadata', 'blocking', 'fetching metadata', 'A magnet link: the file list is still being fetched from peers.', { peers: f.peers.connected }, null));
}

function swarmReasons(f: DoctorFacts, out: DiagnosisReason[]): void {
  const enc = f.encryption;
  const refused = enc.refusedOutgoing + enc.refusedIncoming;
  if (enc.policy === 'require' && refused > 0) {
    out.push(
      reason(
        'encryptionRefused',
        f.peers.connected === 0 ? 'blocking' : 'limiting',
        `encryption refused ${refused} peer${plural(refused)}`,
        `Encryption is required, and ${refused} connection${plural(refused)} failed because the peer speaks plaintext only (${enc.refusedOutgoing} we dialled, ${enc.refusedIncoming} incoming).`,
        { refused, refusedOutgoing: enc.refusedOutgoing, refusedIncoming: enc.refusedIncoming },
        action('allowUnencrypted', 'Allow unencrypted peers'),
      ),
    );
  }
  if (f.peers.connected === 0) {
    noPeers(f, out);
    return;
  }
  const u = f.unavailable;
  if (u && u.pieces > 0) {
    const named = u.files.slice(0, MAX_FILES_NAMED).map((m) => `${m.path} (${bytes(m.missingBytes)} missing)`);
    const more = u.files.length > MAX_FILES_NAMED ? ` and ${u.files.length - MAX_FILES_NAMED} more` : '';
    out.push(
      reason(
        'availability',
        u.availablePiecesLeft === 0 ? 'blocking' : 'limiting',
        `${bytes(u.bytes)} no peer has`,
        `Availability below 1: ${u.pieces} piece${plural(u.pieces)} (${bytes(u.bytes)}) no connected peer has, so ${u.files.length === 1 ? 'this file' : `these ${u.files.length} files`} cannot complete: ${named.join(', ')}${more}. More peers (trackers, DHT) may have them.`,
        { missingPieces: u.pieces, missingBytes: u.bytes, files: u.files.length },
        action('addTrackers', 'Add trackers from a list'),
      ),
    );
  }
  const p = f.peers;
  if (p.interesting > 0 && p.chokingInteresting === p.interesting) {
    out.push(
      reason(
        'allChoking',
        'blocking',
        `all ${p.interesting} peer${plural(p.interesting)} choking us`,
        `${p.interesting === 1 ? 'The one peer' : `All ${p.interesting} peers`} with data we want ${p.interesting === 1 ? 'is' : 'are'} choking us (for ${Math.round(p.longestChokeMs / 1000)} s): they upload to others. More peers help; uploading to them earns an unchoke.`,
        { peers: p.interesting, connected: p.connected, chokedSeconds: Math.round(p.longestChokeMs / 1000) },
        action('addTrackers', 'Add trackers from a list'),
      ),
    );
  }
}

function noPeers(f: DoctorFacts, out: DiagnosisReason[]): void {
  const dhtUseful = f.dht.enabled && !f.dht.private;
  if (f.trackers.length === 0 && !dhtUseful) {
    const why = f.dht.private ? 'it is private, so the DHT may not be used' : 'the DHT is off';
    out.push(reason('noTrackers', 'blocking', 'no trackers', `No peers: the torrent has no trackers and ${why}; nothing can find peers for it.`, { trackers: 0, knownPeers: f.knownPeers }, action('addTrackers', 'Add trackers from a list')));
    return;
  }
  const failing = f.trackers.filter((t) => t.error !== null);
  const parts: string[] = [];
  for (const t of failing.slice(0, 3)) parts.push(`${t.url}: ${t.error}`);
  if (failing.length > 3) parts.push(`${failing.length - 3} more tracker(s) failing`);
  const empty = f.trackers.filter((t) => t.error === null && t.health === 'working' && (t.peers ?? 0) === 0).length;
  if (empty > 0) parts.push(`${empty} tracker${plural(empty)} answered with no peers`);
  if (f.trackers.length === 0) parts.push('no trackers');
  parts.push(!f.dht.enabled ? 'DHT off' : f.dht.private ? 'DHT not used (private torrent)' : `DHT: ${f.dht.nodes} node${plural(f.dht.nodes)}, lookups found ${f.dht.peersFound} peer${plural(f.dht.peersFound)}`);
  const short = failing.length > 0 ? `no peers: tracker ${failing.length === f.trackers.length ? 'error' : 'errors'} (${failing[0].error})` : 'no peers';
  out.push(
    reason(
      'noPeers',
      'blocking',
      short,
      `No peers connected (${f.knownPeers} address${f.knownPeers === 1 ? '' : 'es'} known). ${parts.join('; ')}.`,
      { trackers: f.trackers.length, trackersFailing: failing.length, dhtNodes: f.dht.nodes, dhtPeersFound: f.dht.peersFound, knownPeers: f.knownPeers },
      action('addTrackers', 'Add trackers from a list'),
    ),
  );
}

function limitReasons(f: DoctorFacts, out: DiagnosisReason[]): void {
  const { global, alt, torrent } = f.limits;
  // The tighter limit is the one that holds it; the other cannot be reached.
  const torrentBinds = torrent !== null && (global === null || torrent <= global);
  const limit = torrentBinds ? torrent : global;
  if (limit === null || f.downRate < limit * AT_LIMIT_SHARE) {
    diskReason(f, out);
    return;
  }
  const numbers = { limit, downRate: Math.round(f.downRate) };
  if (torrentBinds) {
    out.push(reason('torrentLimit', 'limiting', `torrent limit ${rate(limit)}`, `Its own download limit caps it at ${rate(limit)} (now ${rate(f.downRate)}).`, numbers, { ...action('raiseLimit', 'Raise limit'), dialog: 'torrentOptions' }));
  } else if (alt) {
    const how = alt === 'schedule' ? 'the schedule turned on' : 'are on';
    out.push(reason('altLimit', 'limiting', `alternative limit ${rate(limit)}`, `The alternative speed limits ${how}: downloads are capped at ${rate(limit)} (now ${rate(f.downRate)}).`, numbers, { ...action('raiseLimit', 'Raise limit'), dialog: 'settings' }));
  } else {
    out.push(reason('globalLimit', 'limiting', `global limit ${rate(limit)}`, `The global download limit caps all torrents at ${rate(limit)} (this one now ${rate(f.downRate)}).`, numbers, { ...action('raiseLimit', 'Raise limit'), dialog: 'settings' }));
  }
  diskReason(f, out);
}

function diskReason(f: DoctorFacts, out: DiagnosisReason[]): void {
  if (f.diskBusySince === null || f.now - f.diskBusySince < DISK_BUSY_MS) return;
  const seconds = Math.round((f.now - f.diskBusySince) / 1000);
  out.push(reason('diskBusy', 'limiting', 'disk cannot keep up', `The disk is behind: pieces wait to be written and verified (for ${seconds} s), so requests to peers are held back.`, { seconds }, null));
}

function reason(code: DiagnosisCode, severity: DiagnosisReason['severity'], short: string, message: string, numbers: Record<string, number>, act: DiagnosisAction | null): DiagnosisReason {
  return { code, severity, short, message, numbers, action: act };
}

function action(kind: DiagnosisAction['kind'], label: string): DiagnosisAction {
  return { kind, label };
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/** Bytes in the units the UI shows (binary, three significant digits: "1.50 MiB", "100 KiB"). */
export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 999.95 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

function rate(n: number): string {
  return `${bytes(Math.round(n))}/s`;
}

/**
 * Gathers the doctor's facts (doctor.ts) about one torrent from what the engine already keeps: the entry and its
 * live torrent (peers, picker, trackers, disk), the session's settings, the client's encryption counters and
 * reachability. Reads only; the one O(pieces) walk (availability) runs only while connected peers exist.
 */
import type { PortMappingStatus, Settings } from '../api/types.js';
import type { Torrent } from '../torrent/torrent.js';
import type { Client } from './client.js';
import type { Entry } from './entry.js';
import { altLimitsActive, globalLimits, unlimitedIfZero } from './limits.js';
import { CHOKE_GRACE_MS, diagnose, whyOf, type DoctorFacts, type MissingFile, type TrackerFact } from './doctor.js';

/** What the gathering needs of the session. */
export interface DoctorContext {
  readonly settings: Settings;
  readonly client: Client;
  readonly dhtNodes: number;
  /** The DHT runs in this session (the setting is on and the host allows it). */
  readonly dhtEnabled: boolean;
  /** Port mapping status when the host maps ports (absent: tests, --no-port-mapping hosts). */
  readonly portMapping: PortMappingStatus | undefined;
  readonly now: number;
  /** For the alternative limits' schedule (local wall-clock time). */
  readonly wallClock?: Date;
}

/** The Status column's refresh walks a torrent's pieces for availability at most this often (diagnose: always). */
const WHY_AVAILABILITY_MAX_AGE_MS = 5_000;
const availabilityCache = new WeakMap<Torrent, { at: number; value: DoctorFacts['unavailable'] }>();

/** `availabilityMaxAgeMs`: an availability walk this recent is reused (0: walk now). */
export function gatherFacts(e: Entry, ctx: DoctorContext, availabilityMaxAgeMs = 0): DoctorFacts {
  const t = e.torrent;
  const { settings, client } = ctx;
  const alt = altLimitsActive(settings, ctx.wallClock) ? (settings.altLimitsEnabled ? 'manual' : 'schedule') : null;
  const refusals = client.encryptionRefusals;
  const reach = ctx.portMapping ?? client.reachability.status();
  const checking = e.checkingOffline || t?.state === 'checking';
  return {
    now: ctx.now,
    error: e.error ?? (t?.state === 'error' ? (t.errorReason ?? 'failed') : null),
    paused: e.paused,
    goal: e.paused && e.pausedFor ? { kind: e.pausedFor.goal, reason: e.pausedFor.reason } : null,
    checking,
    fetchingMetadata: e.fetch !== null,
    queued:
      e.waiting && !e.paused && t === null && e.fetch === null
        ? { position: e.position, slots: e.waiting.queuedFor === 'download' ? settings.maxActiveDownloads : settings.maxActiveSeeds, queuedFor: e.waiting.queuedFor, reason: e.waiting.reason }
        : null,
    running: t !== null || e.fetch !== null,
    complete: t ? t.state === 'seeding' || t.complete : e.have !== null && e.doneBytes >= e.wantedBytes && e.wantedBytes > 0,
    downRate: t ? t.downloadMeter.rate() : 0,
    trackers: t ? trackerFacts(t) : [],
    dht: { enabled: ctx.dhtEnabled, nodes: ctx.dhtNodes, private: e.meta?.private ?? false, peersFound: e.dhtPeersFound ?? 0 },
    knownPeers: t ? t.addressBook.size : 0,
    peers: t ? peerFacts(t, ctx.now) : { connected: 0, interesting: 0, chokingInteresting: 0, longestChokeMs: 0 },
    unavailable: t && t.state === 'downloading' ? cachedUnavailable(t, ctx.now, availabilityMaxAgeMs) : null,
    limits: { global: globalLimits(settings, alt !== null).download, alt, torrent: unlimitedIfZero(e.downloadLimit) },
    encryption: {
      policy: client.encryptionPolicy,
      refusedOutgoing: refusals.outgoing.get(e.id) ?? 0,
      // Incoming connections are refused before their handshake names a torrent: counted for every torrent.
      refusedIncoming: client.encryptionPolicy === 'require' ? refusals.incomingPlaintext : refusals.incomingEncrypted,
    },
    diskBusySince: t?.diskBusySince ?? null,
    port: { connectable: reach.connectable, mapping: ctx.portMapping ? reach.state : null, message: reach.message },
  };
}

function trackerFacts(t: Torrent): TrackerFact[] {
  return t.trackerStatus().map((s) => ({
    url: s.url,
    health: s.health,
    error: s.health === 'error' ? (s.lastError ?? 'failed') : null,
    peers: s.peers ?? null,
  }));
}

function peerFacts(t: Torrent, now: number): DoctorFacts['peers'] {
  let interesting = 0;
  let chokingInteresting = 0;
  let longestChokeMs = 0;
  for (const p of t.peers) {
    if (!t.picker.isInteresting(p.bits)) continue;
    interesting++;
    if (!p.peerChoking) continue;
    const choked = now - p.chokedUsSince;
    if (choked >= CHOKE_GRACE_MS) chokingInteresting++;
    longestChokeMs = Math.max(longestChokeMs, choked);
  }
  return { connected: t.peers.size, interesting, chokingInteresting, longestChokeMs };
}

function cachedUnavailable(t: Torrent, now: number, maxAgeMs: number): DoctorFacts['unavailable'] {
  const hit = availabilityCache.get(t);
  if (hit && now - hit.at < maxAgeMs) return hit.value;
  const value = unavailable(t);
  availabilityCache.set(t, { at: now, value });
  return value;
}

/** Wanted pieces we lack that no connected peer has, and the files they fall in; null before any peer told what it has. */
function unavailable(t: Torrent): DoctorFacts['unavailable'] {
  let told = false;
  for (const p of t.peers) if (p.bits) told = true;
  if (!told) return null;
  const geometry = t.storage.geometry;
  const availability = t.picker.availabilityInto(new Uint32Array(geometry.pieceCount));
  const files = t.meta.files;
  const missing = new Float64Array(files.length);
  let pieces = 0;
  let bytes = 0;
  let availablePiecesLeft = 0;
  let fileIndex = 0;
  for (let piece = 0; piece < geometry.pieceCount; piece++) {
    if (t.have.has(piece) || t.picker.priority(piece) === 0) continue;
    if (availability[piece] > 0) {
      availablePiecesLeft++;
      continue;
    }
    pieces++;
    const start = piece * geometry.pieceLength;
    const end = start + geometry.pieceSize(piece);
    bytes += end - start;
    // Files are in offset order and pieces ascend: the walk over files only moves forward.
    while (fileIndex < files.length && files[fileIndex].offset + files[fileIndex].length <= start) fileIndex++;
    for (let i = fileIndex; i < files.length && files[i].offset < end; i++) {
      const f = files[i];
      if (f.padding) continue;
      missing[i] += Math.min(end, f.offset + f.length) - Math.max(start, f.offset);
    }
  }
  const out: MissingFile[] = [];
  for (let i = 0; i < files.length; i++) if (missing[i] > 0) out.push({ path: files[i].path.join('/'), missingBytes: missing[i] });
  out.sort((a, b) => b.missingBytes - a.missingBytes);
  return { pieces, bytes, files: out, availablePiecesLeft };
}

/**
 * Refreshes the Status column's words of the running torrents that are downloading (a seed or a paused torrent
 * says enough with its state); `show` is told of each that changed.
 */
export function refreshWhy(running: Iterable<Entry>, ctx: DoctorContext, show: (e: Entry) => void): void {
  for (const e of running) {
    const downloading = e.fetch !== null || e.torrent?.state === 'downloading';
    const why = downloading ? whyOf(diagnose(gatherFacts(e, ctx, WHY_AVAILABILITY_MAX_AGE_MS))) : null;
    if (why === (e.why ?? null)) continue;
    e.why = why;
    show(e);
  }
}

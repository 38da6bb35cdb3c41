import type { Settings, TorrentOptionValues, TorrentOptions } from '../api/types.js';
import { copyOption, TORRENT_OPTION_KEYS } from '../storage/resume/resume-record.js';
import type { Torrent } from '../torrent/torrent.js';
import type { Entry } from './entry.js';
import { unlimitedIfZero } from './limits.js';
import { applyPriorities } from './entry-files.js';

/**
 * How a torrent's options reach it. The options themselves, their defaults and how the record
 * keeps them are TORRENT_OPTION_FIELDS (storage/resume/resume-record.ts); Entry and ResumeRecord
 * extend TorrentOptionValues, and setTorrentOptions' patch is its Partial, so an option is declared
 * once and copied by key everywhere. This table says where each one takes effect:
 *
 * - 'picker', 'connections', 'rateLimits': set on the running torrent by applyTorrentOptions
 *   (when it starts, and whenever the options or the settings change);
 * - 'piecePriorities': part of the piece priorities (entry-files.ts applyPriorities: at start, when
 *   file priorities change, and when setTorrentOptions changes such an option, so a running torrent
 *   reorders at once rather than at its next start);
 * - 'seedGoals': read on every tick by seed-goals.ts;
 * - 'trackers': the announcer's tiers (set before start, and a running torrent's announcer starts over);
 * - 'labels': nothing on the torrent itself; the list shows them, and a category change that moves
 *   data is the session's (categories.ts), so setTorrentOptions' category goes through it too.
 */
export type OptionEffect = 'picker' | 'connections' | 'rateLimits' | 'piecePriorities' | 'seedGoals' | 'trackers' | 'labels';

export const OPTION_EFFECTS: { readonly [K in keyof TorrentOptionValues]-?: OptionEffect } = {
  sequential: 'picker',
  firstLastPiecesFirst: 'piecePriorities',
  downloadLimit: 'rateLimits',
  uploadLimit: 'rateLimits',
  ratioLimit: 'seedGoals',
  seedTimeLimitMinutes: 'seedGoals',
  maxConnections: 'connections',
  trackers: 'trackers',
  category: 'labels',
  tags: 'labels',
};

/** What the effects applied to a running torrent need besides the entry. */
interface ApplyContext {
  readonly settings: Settings;
  /** This torrent's share of the session's connection cap. */
  readonly connectionShare: number;
}

const APPLY_LIVE: { readonly [E in 'picker' | 'connections' | 'rateLimits' | 'trackers']: (t: Torrent, e: Entry, ctx: ApplyContext) => void } = {
  picker: (t, e) => t.picker.setSequential(e.sequential),
  connections: (t, e, { settings, connectionShare }) => t.setMaxPeers(Math.min(e.maxConnections ?? settings.maxConnectionsPerTorrent, connectionShare)),
  rateLimits: (t, e) => t.setLimits({ download: unlimitedIfZero(e.downloadLimit), upload: unlimitedIfZero(e.uploadLimit) }),
  // Only when it differs from what the torrent announces to: restarting an announcer sends 'stopped' and 'started'.
  trackers: (t, e) => t.setTrackers(e.trackers ?? e.meta?.announce ?? []),
};

/** setTorrentOptions: the options the patch names change; the caller applies them. */
export function setTorrentOptions(entry: Entry, patch: TorrentOptions): void {
  let priorities = false;
  for (const k of TORRENT_OPTION_KEYS) {
    if (patch[k] === undefined) continue;
    copyOption(entry, patch as TorrentOptionValues, k);
    if (OPTION_EFFECTS[k] === 'piecePriorities') priorities = true;
  }
  // Not among the live effects applyTorrentOptions sets: the piece priorities are recomputed here.
  if (priorities) applyPriorities(entry);
}

/**
 * Sets a running torrent's options and the settings that apply to each torrent alike (upload
 * slots, PEX). `runningCount`: torrents running now, which share the global connection cap.
 */
export function applyTorrentOptions(entry: Entry, settings: Settings, runningCount: number): void {
  const t = entry.torrent;
  if (!t) return;
  const ctx: ApplyContext = { settings, connectionShare: Math.max(8, Math.floor(settings.maxConnections / Math.max(1, runningCount))) };
  APPLY_LIVE.picker(t, entry, ctx);
  APPLY_LIVE.connections(t, entry, ctx);
  t.setUploadSlots(settings.uploadSlotsPerTorrent);
  t.setPexEnabled(settings.pex);
  APPLY_LIVE.rateLimits(t, entry, ctx);
  APPLY_LIVE.trackers(t, entry, ctx);
}

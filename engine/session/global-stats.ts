import type { GlobalStats, PortMappingStatus, Settings } from '../api/types.js';
import { altLimitsActive } from './limits.js';
import { activeSchedules } from './schedules.js';
import type { Entry } from './entry.js';

/** What the session-wide counters need besides the torrents. */
export interface GlobalContext {
  readonly settings: Settings;
  readonly dhtNodes: number;
  /** Of those, the IPv6 DHT's. */
  readonly dhtNodes6?: number;
  readonly freeDiskBytes: number;
  /** Absent when the host runs without port mapping (tests). */
  readonly portMapping?: PortMappingStatus;
}

/**
 * The session's counters for the status bar: rates and totals of the running torrents on top of
 * the totals of earlier runs, which are summed over the whole list only when one of them changed.
 */
export class GlobalTotals {
  /** Sum of the totals of earlier runs; null: recompute. */
  private base: { down: number; up: number } | null = null;

  /** An entry's totals of earlier runs changed (a torrent stopped or was removed). */
  invalidate(): void {
    this.base = null;
  }

  stats(entries: () => Iterable<Entry>, running: Iterable<Entry>, now: number, ctx: GlobalContext): GlobalStats {
    if (!this.base) {
      let down = 0;
      let up = 0;
      for (const e of entries()) {
        down += e.downloadedBase;
        up += e.uploadedBase;
      }
      this.base = { down, up };
    }
    let downRate = 0;
    let upRate = 0;
    let downloaded = this.base.down;
    let uploaded = this.base.up;
    let peers = 0;
    for (const e of running) {
      const t = e.torrent;
      if (!t) continue;
      // Thousands of idle seeds: skip the meters that hold nothing rather than roll each of them.
      if (!t.downloadMeter.quietAt(now)) downRate += t.downloadMeter.rate();
      if (!t.uploadMeter.quietAt(now)) upRate += t.uploadMeter.rate();
      downloaded += t.downloadMeter.total;
      uploaded += t.uploadMeter.total;
      peers += t.peers.size;
    }
    const wallClock = new Date();
    const alt = altLimitsActive(ctx.settings, wallClock);
    const schedules = activeSchedules(ctx.settings, wallClock);
    return {
      downRate: Math.round(downRate),
      upRate: Math.round(upRate),
      downloadedTotal: downloaded,
      uploadedTotal: uploaded,
      connectedPeers: peers,
      dhtNodes: ctx.dhtNodes,
      ...(ctx.dhtNodes6 !== undefined ? { dhtNodes6: ctx.dhtNodes6 } : {}),
      freeDiskBytes: ctx.freeDiskBytes,
      altLimitsActive: alt,
      downloadLimit: alt ? ctx.settings.altDownloadLimit : ctx.settings.downloadLimit,
      uploadLimit: alt ? ctx.settings.altUploadLimit : ctx.settings.uploadLimit,
      ...(ctx.portMapping ? { portMapping: ctx.portMapping } : {}),
      ...(schedules ? { schedules } : {}),
    };
  }
}

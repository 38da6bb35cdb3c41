import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isVolumeGoneCode } from '../storage/fs-errors.js';
import type { SaveVolume } from '../storage/resume/resume-record.js';

/**
 * A torrent's save folder and the volume under it (issue 15): a running torrent remembers the device of its save
 * folder; when the folder vanishes or sits on another device (an unmount leaves the bare mount point behind), its
 * volume is offline. These are the decisions; VolumeWatch polls and acts on them.
 */

/** What the save folder looks like now: the device it is on, or the error code that stat gave. */
export type FolderProbe = { readonly dev: number } | { readonly code: string };

/** A torrent's volume while it runs or waits for it. Runtime only. */
export interface VolumeState {
  /** The save folder `dev` belongs to (a move changes the folder: the device is taken again). */
  path: string;
  /** st_dev of the save folder while the torrent ran; null until the folder existed. */
  dev: number | null;
  /** Set while the volume is away: since when (session clock), and the device the bare folder showed then (null: no folder). */
  offline: { since: number; devWhileGone: number | null } | null;
}

export function probeFolderSync(path: string): FolderProbe {
  try {
    return { dev: statSync(path).dev };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

export async function probeFolder(path: string): Promise<FolderProbe> {
  try {
    return { dev: (await stat(path)).dev };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

/**
 * True when the probe says the volume under a running torrent's folder went away. A folder that never existed
 * (a download not written yet) is not a vanished volume; one that existed and is now missing is.
 */
export function volumeGone(state: VolumeState, probe: FolderProbe): boolean {
  if ('code' in probe) return isVolumeGoneCode(probe.code) && (probe.code !== 'ENOENT' || state.dev !== null);
  return state.dev !== null && probe.dev !== state.dev;
}

/** True when an offline volume is mounted again: the folder exists and is not the bare folder seen while it was gone. */
export function folderBack(state: VolumeState, probe: FolderProbe): boolean {
  if ('code' in probe || !state.offline) return false;
  return state.offline.devWhileGone === null || probe.dev !== state.offline.devWhileGone;
}

/**
 * True when every file the record saw with data is there again with at least the recorded size (a download may
 * have grown it since). The resume plan then trusts what is unchanged and rechecks only files whose size or mtime moved.
 */
export function filesBack(recorded: readonly ({ size: number } | null)[] | null, current: readonly { size: number }[], skipped: (i: number) => boolean): boolean {
  if (!recorded) return true;
  for (let i = 0; i < recorded.length; i++) {
    const r = recorded[i];
    if (!r || r.size <= 0 || skipped(i)) continue;
    if ((current[i]?.size ?? -1) < r.size) return false;
  }
  return true;
}

/** The state reason of a torrent whose volume is away: what happened and what to do. */
export function offlineReason(folder: string): string {
  return `Volume offline: ${folder} is not mounted — reconnect it; Tessera resumes by itself`;
}

/**
 * For code that records what the files look like (captureProgress): true while the torrent's volume is away or,
 * by a cheap stat of the save folder, has just gone, so no record claims the files are missing. No state: no stat.
 */
export function volumeAwayNow(state: VolumeState | undefined, savePath: string): boolean {
  if (!state) return false;
  if (state.offline) return true;
  if (state.path !== savePath) return false;
  return volumeGone(state, probeFolderSync(savePath));
}

/**
 * The volume under an existing folder, to keep in the resume record: its device and its mount point (the highest
 * folder above it on the same device). Null when the folder cannot be stat'ed (not created yet).
 */
export function saveVolumeOf(path: string): SaveVolume | null {
  let dev: number;
  try {
    dev = statSync(path).dev;
  } catch {
    return null;
  }
  let mountPoint = path;
  for (let parent = dirname(mountPoint); parent !== mountPoint; parent = dirname(mountPoint)) {
    const up = probeFolderSync(parent);
    if (!('dev' in up) || up.dev !== dev) break;
    mountPoint = parent;
  }
  return { dev, mountPoint };
}

/** A recorded mount point now: its device and its parent's (equal: nothing is mounted there), or the error stat gave. */
export type MountProbe = { readonly dev: number; readonly parentDev: number | null } | { readonly code: string };

export function probeMountSync(mountPoint: string): MountProbe {
  const here = probeFolderSync(mountPoint);
  if ('code' in here) return here;
  const parent = dirname(mountPoint);
  const up = parent === mountPoint ? null : probeFolderSync(parent);
  return { dev: here.dev, parentDev: up && 'dev' in up ? up.dev : null };
}

/**
 * At a start that finds the files missing: true when that is because the volume the record saw is not mounted (the
 * save folder is on another device, or gone with its mount point, or the mount point is a bare folder now), so the
 * torrent waits for it as "volume offline" instead of failing with "files missing". A folder on the recorded device,
 * or under a mount point that still holds the recorded device, really lost its files. The root file system is never
 * offline.
 */
export function offlineAtStart(recorded: SaveVolume, folder: FolderProbe, mount: MountProbe): boolean {
  if ('dev' in folder && folder.dev === recorded.dev) return false;
  if (recorded.mountPoint === dirname(recorded.mountPoint)) return false;
  if ('code' in mount) return isVolumeGoneCode(mount.code);
  if (mount.parentDev !== null && mount.dev === mount.parentDev) return true;
  return mount.dev !== recorded.dev;
}

/**
 * The batch Add dialog's pure part: what each queued item is once inspected, which of them "Add all"
 * adds and in what order, and the one-line summary above the buttons.
 */
import type { AddSource, InspectResult } from '../../engine/api/types.js';
import { formatBytes } from './format.js';

export type BatchItemState =
  | { kind: 'reading' }
  | { kind: 'ready'; info: InspectResult }
  | { kind: 'already'; info: InspectResult }
  | { kind: 'unusable'; reason: string }
  /** "Add all" tried and the engine refused this one; it stays in the batch with the reason. */
  | { kind: 'failed'; info: InspectResult | null; reason: string };

export interface BatchItem {
  key: number;
  source: AddSource;
  label: string;
  state: BatchItemState;
}

export function itemStateOf(info: InspectResult): BatchItemState {
  return info.alreadyAdded ? { kind: 'already', info } : { kind: 'ready', info };
}

/** The line under an item's name. */
export function itemDetail(item: BatchItem): string {
  const s = item.state;
  switch (s.kind) {
    case 'reading':
      return 'Reading…';
    case 'ready':
      return s.info.metadataKnown ? sizeText(s.info) : 'Magnet link: the file list arrives from peers after adding';
    case 'already':
      return 'Already in your list: it will be skipped';
    case 'unusable':
      return `Cannot be added: ${s.reason}`;
    case 'failed':
      return `Not added: ${s.reason}`;
  }
}

function sizeText(info: InspectResult): string {
  const n = info.files.length;
  return `${formatBytes(info.totalBytes)} in ${n} ${n === 1 ? 'file' : 'files'}${info.private ? ' · private torrent' : ''}`;
}

export function itemName(item: BatchItem): string {
  const s = item.state;
  const info = s.kind === 'ready' || s.kind === 'already' ? s.info : s.kind === 'failed' ? s.info : null;
  return info?.name || item.label;
}

/**
 * The items "Add all" adds (ready, or failed before and worth another try), in the order to send them.
 * Each add with queueTop goes to the top, so they are sent last first to keep the batch's order.
 */
export function addOrder(items: readonly BatchItem[], queueTop: boolean): BatchItem[] {
  const todo = items.filter((i) => i.state.kind === 'ready' || i.state.kind === 'failed');
  return queueTop ? todo.reverse() : todo;
}

/** Whether every item has been inspected, so "Add all" knows what it adds. */
export function allRead(items: readonly BatchItem[]): boolean {
  return items.every((i) => i.state.kind !== 'reading');
}

/** "3 torrents, 1.20 GiB" with the skipped ones named by why. */
export function batchSummary(items: readonly BatchItem[]): string {
  let adding = 0;
  let bytes = 0;
  let magnets = 0;
  let already = 0;
  let unusable = 0;
  for (const i of items) {
    const s = i.state;
    if (s.kind === 'ready' || s.kind === 'failed') {
      adding++;
      const info = s.kind === 'ready' ? s.info : s.info;
      if (info?.metadataKnown) bytes += info.totalBytes;
      else magnets++;
    } else if (s.kind === 'already') already++;
    else if (s.kind === 'unusable') unusable++;
  }
  const parts = [`${adding} to add${bytes > 0 ? `, ${formatBytes(bytes)}` : ''}${magnets > 0 ? ` (sizes of ${magnets} magnet ${magnets === 1 ? 'link' : 'links'} known later)` : ''}`];
  if (already > 0) parts.push(`${already} already in your list`);
  if (unusable > 0) parts.push(`${unusable} not usable`);
  return parts.join(' · ');
}

/** The main window's size and position, remembered in userData and restored only onto a visible display. */
import type { DisplayLike, Rect } from './electron-api.js';
import { readJson, writeJson } from './json-file.js';

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1100, height: 720 } as const;
export const MIN_SIZE = { width: 640, height: 400 } as const;
const MAX_SIDE = 16_384;
/** How much of the window must lie on one display's work area to count as reachable. */
const MIN_VISIBLE = { width: 120, height: 60 } as const;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

export function parseWindowState(raw: unknown): WindowState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as { bounds?: unknown; maximized?: unknown };
  const b = r.bounds as Partial<Record<keyof Rect, unknown>> | null | undefined;
  if (typeof b !== 'object' || b === null) return null;
  if (!isInt(b.x, -MAX_SIDE * 4, MAX_SIDE * 4) || !isInt(b.y, -MAX_SIDE * 4, MAX_SIDE * 4)) return null;
  if (!isInt(b.width, MIN_SIZE.width, MAX_SIDE) || !isInt(b.height, MIN_SIZE.height, MAX_SIDE)) return null;
  return { bounds: { x: b.x, y: b.y, width: b.width, height: b.height }, maximized: r.maximized === true };
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

export function isVisibleOn(bounds: Rect, displays: readonly DisplayLike[]): boolean {
  return displays.some((d) => {
    const o = overlap(bounds, d.workArea);
    return o.width >= Math.min(MIN_VISIBLE.width, bounds.width) && o.height >= Math.min(MIN_VISIBLE.height, bounds.height);
  });
}

/** The saved state when it is valid and reachable; otherwise the default size (the OS centres the window). */
export function restoreWindowState(file: string, displays: readonly DisplayLike[]): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean } {
  const saved = parseWindowState(readJson(file));
  if (saved && isVisibleOn(saved.bounds, displays)) return saved;
  if (saved) return { bounds: { width: saved.bounds.width, height: saved.bounds.height }, maximized: saved.maximized };
  return { bounds: { ...DEFAULT_SIZE }, maximized: false };
}

export function saveWindowState(file: string, state: WindowState): void {
  const parsed = parseWindowState(state);
  if (!parsed) return;
  try {
    writeJson(file, parsed);
  } catch {
    // Not worth failing a quit over.
  }
}

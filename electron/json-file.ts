// Small JSON files in userData: read leniently (missing or corrupt means "no value"), written atomically.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Files bigger than this are not ours (or are corrupt). */
const MAX_BYTES = 64 * 1024;

export function readJson(file: string): unknown {
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > MAX_BYTES) return undefined;
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

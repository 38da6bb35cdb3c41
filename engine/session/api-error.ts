import type { ApiErrorShape } from '../api/types.js';
import { InputError } from '../common/errors.js';
import { StorageError } from '../storage/storage.js';
import { PathEscapeError } from '../storage/layout.js';

/** A command's failure as the protocol names it (the reply's `error.name`). */
export class ApiError extends Error {
  constructor(override readonly name: 'NotFound' | 'Conflict' | 'InvalidCommand' | 'Failed', message: string) {
    super(message);
  }
}

/** Storage refusals become errors the UI can show: a clash is a Conflict, a bad name an invalid command. */
export function asApiError(err: unknown): Error {
  if (err instanceof ApiError) return err;
  if (err instanceof PathEscapeError) return new ApiError('InvalidCommand', err.message);
  if (err instanceof StorageError && err.code === 'EEXIST') return new ApiError('Conflict', err.message);
  if (err instanceof StorageError && err.code === 'EINVAL') return new ApiError('InvalidCommand', err.message);
  return err instanceof Error ? err : new Error(String(err));
}

export function parsePeer(s: string): { host: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) throw new ApiError('InvalidCommand', `peer ${JSON.stringify(s)} must look like host:port`);
  return { host: m[1], port: Number(m[2]) };
}

/** A failed command's reply error: ours by name, bad input as InvalidCommand, anything else as Failed. */
export function errorShape(err: unknown): ApiErrorShape {
  return err instanceof ApiError
    ? { name: err.name, message: err.message }
    : err instanceof InputError
      ? { name: 'InvalidCommand', message: err.message }
      : { name: 'Failed', message: (err as Error).message };
}

/**
 * Strict validation of what crosses the UI -> engine boundary. Pure functions, no Node APIs (the
 * renderer imports this too). Nothing here throws on any input: every entry point returns a result.
 *
 * Errors name the field: `{ name: 'InvalidCommand', message: 'command.ids[2] must be a 40-character
 * lowercase hex info hash' }` (shown to people as `InvalidCommand: command.ids[2] ...`, see
 * formatApiError).
 *
 * Validated values are fresh copies holding only the known fields (a Uint8Array torrent file is passed
 * through by reference, not copied), so a caller can never see a field change after validation.
 */
import { LIMITS } from './limits.js';
import type { ApiErrorShape, Command, Request, Settings } from './types.js';
import { COMMAND_TYPES, DETAIL_TOPICS, FILE_PRIORITIES, QUEUE_MOVES, isCommandType, parseCommand } from './validate-command.js';
import { attempt, fail, isPlainObject, isTorrentId, knownKeys, own, toApiError, type Validated } from './validate-primitives.js';
import {
  DEFAULT_SETTINGS,
  ENCRYPTION_POLICIES,
  SEED_GOAL_ACTIONS,
  SETTINGS_KEYS,
  mergeSettings,
  parseSettings,
  parseSettingsPatch,
  settingsConflict,
} from './validate-settings.js';

export { COMMAND_TYPES, DEFAULT_SETTINGS, DETAIL_TOPICS, ENCRYPTION_POLICIES, FILE_PRIORITIES, LIMITS, QUEUE_MOVES, SEED_GOAL_ACTIONS, SETTINGS_KEYS };
export { isCommandType, isTorrentId, mergeSettings, type Validated };
export { settingsConflict };

const REQUEST_KEYS = ['kind', 'requestId', 'command'] as const;

export type ParseResult =
  | { ok: true; request: Request }
  | { ok: false; requestId: number | null; error: ApiErrorShape };

/** `InvalidCommand: command.ids[2] must be ...` */
export function formatApiError(e: ApiErrorShape): string {
  return `${e.name}: ${e.message}`;
}

export function isRequestId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Validates a request from a UI. Never throws. */
export function parseRequest(raw: unknown): ParseResult {
  let requestId: number | null = null;
  try {
    if (!isPlainObject(raw)) fail('request', 'must be an object');
    const rid = own(raw, 'requestId');
    if (isRequestId(rid)) requestId = rid;
    if (own(raw, 'kind') !== 'request') fail('kind', "must be 'request'");
    if (!isRequestId(rid)) fail('requestId', 'must be a non-negative safe integer');
    knownKeys(raw, '', REQUEST_KEYS);
    const command = parseCommand(own(raw, 'command'), 'command');
    return { ok: true, request: { kind: 'request', requestId: rid, command } };
  } catch (e) {
    return { ok: false, requestId, error: toApiError(e, 'InvalidCommand') };
  }
}

/** Validates a command on its own (the path in messages starts with `command`). Never throws. */
export function validateCommand(raw: unknown): Validated<Command> {
  return attempt('InvalidCommand', () => parseCommand(raw, 'command'));
}

/** Validates complete settings (e.g. loaded from disk): every key present, no unknown keys. Never throws. */
export function validateSettings(raw: unknown): Validated<Settings> {
  return attempt('InvalidSettings', () => parseSettings(raw, 'settings'));
}

/**
 * Validates a partial settings object (only known keys, each valid). Never throws. To load settings
 * persisted by an older version, validate as a patch and merge onto DEFAULT_SETTINGS.
 */
export function validateSettingsPatch(raw: unknown): Validated<Partial<Settings>> {
  return attempt('InvalidSettings', () => parseSettingsPatch(raw, 'settings'));
}

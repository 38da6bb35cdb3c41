/**
 * The Add dialog's commands. `inspect` and `add.stopAfterMetadata` come with the daemon branch; until it
 * is merged into main, engine/api/types.ts does not know them, so this file declares the same shapes
 * and is the only place that sends them. After the merge: import InspectResult from types.ts and drop
 * the casts below.
 */
import type { AddSource, Command, FilePriority, ResultOf } from '../../../engine/api/types.js';
import type { EngineClient } from '../../api/engine-client.js';

/** Mirrors engine/api/types.ts InspectResult on the daemon branch. */
export interface InspectResult {
  name: string;
  infoHash: string;
  totalBytes: number;
  pieceLength: number;
  pieceCount: number;
  files: { path: string; length: number }[];
  private: boolean;
  comment: string | null;
  createdBy: string | null;
  metadataKnown: boolean;
  alreadyAdded: boolean;
}

export interface AddOptions {
  source: AddSource;
  savePath?: string;
  paused?: boolean;
  filePriorities?: FilePriority[];
  queueTop?: boolean;
  stopAfterMetadata?: boolean;
}

type Client = Pick<EngineClient, 'request'>;

export function inspect(client: Client, source: AddSource): Promise<InspectResult> {
  const command = { type: 'inspect', source } as const;
  return client.request(command as unknown as Command) as unknown as Promise<InspectResult>;
}

export function addTorrent(client: Client, options: AddOptions): Promise<ResultOf['add']> {
  const command = { type: 'add', ...options } as const;
  return client.request(command as Command) as Promise<ResultOf['add']>;
}

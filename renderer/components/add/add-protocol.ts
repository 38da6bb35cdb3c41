/** The Add dialog's engine commands, typed by the protocol (inspect, add with stopAfterMetadata). */
import type { AddSource, FilePriority, InspectResult, ResultOf } from '../../../engine/api/types.js';
import type { EngineClient } from '../../api/engine-client.js';

export type { InspectResult };

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
  return client.request({ type: 'inspect', source });
}

export function addTorrent(client: Client, options: AddOptions): Promise<ResultOf['add']> {
  return client.request({ type: 'add', ...options });
}

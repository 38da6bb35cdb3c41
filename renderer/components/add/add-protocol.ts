/** The Add dialog's engine commands, typed by the protocol (inspect, add with stopAfterMetadata). */
import type { AddSource, Command, InspectResult, ResultOf } from '../../../engine/api/types.js';
import type { EngineClient } from '../../api/engine-client.js';

export type { InspectResult };

/** The `add` command's fields, as the protocol defines them. */
export type AddOptions = Omit<Extract<Command, { type: 'add' }>, 'type'>;

type Client = Pick<EngineClient, 'request'>;

export function inspect(client: Client, source: AddSource): Promise<InspectResult> {
  return client.request({ type: 'inspect', source });
}

export function addTorrent(client: Client, options: AddOptions): Promise<ResultOf['add']> {
  return client.request({ type: 'add', ...options });
}

import type { Clock } from '../common/clock.js';
import type { Settings } from '../api/types.js';
import { Client } from './client.js';
import { globalLimits } from './limits.js';
import { pieceBufferLimit } from '../storage/piece-memory.js';
import type { SessionOptions } from './session-options.js';

/** The Client for these settings (the host's listen flags over the saved port and address). */
export function clientFor(opts: SessionOptions, settings: Settings, clock: Clock, log: (line: string) => void): Client {
  return new Client({
    port: opts.listenPort ?? settings.listenPort,
    host: opts.listenHost,
    clock,
    encryption: settings.encryption,
    log,
    portMapping: settings.portMapping ? opts.portMapping : undefined,
    partialPieceMemory: settings.partialPieceMemory,
    transports: transportsOf(settings),
    holepunch: holepunchOn(settings, opts),
  });
}

/** Changed settings reach the running Client: transports, rate limits, encryption, port mapping, piece memory, hole punching. */
export function applyClientSettings(client: Client, settings: Settings, opts: SessionOptions): void {
  client.setTransports(transportsOf(settings));
  client.setGlobalLimits(globalLimits(settings));
  client.setEncryption(settings.encryption);
  if (opts.portMapping) void client.setPortMapping(settings.portMapping ? opts.portMapping : undefined);
  client.pieceMemory.setLimit(pieceBufferLimit(settings.partialPieceMemory));
  client.setHolepunch(holepunchOn(settings, opts));
}

/** The holepunch setting, unless the host's --no-holepunch turned it off. */
function holepunchOn(s: Settings, opts: SessionOptions): boolean {
  return s.holepunch && opts.holepunch !== false;
}

function transportsOf(s: Settings): { tcp: boolean; utp: boolean; preferUtp: boolean } {
  return { tcp: s.tcp, utp: s.utp, preferUtp: s.preferUtp };
}

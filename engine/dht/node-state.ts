// The node's identity and saved state: which routing table (and so which node id) a node starts with, and the
// re-homing of the table when the external IP changes the id (BEP 42).
import { isBep42Exempt, isValidNodeIdFor, nodeIdFor, randomNodeId, type RandomBytes } from './node-id.js';
import { RoutingTable } from './routing-table.js';

export interface TableSettings {
  readonly k: number;
  readonly maxNodesPerIp: number;
  readonly random: RandomBytes;
}

/**
 * The routing table to start from. Our id: `id` when given, else BEP 42 from `externalIp` when known, else the
 * saved one, else random. The saved table (`state`, a `save()` output) is loaded when it parses, ignored when
 * malformed; a saved id that does not fit the known external IP is replaced.
 */
export function initialTable(state: unknown, id: Uint8Array | undefined, externalIp: string | null, now: number, settings: TableSettings): RoutingTable {
  const { random } = settings;
  if (!id && externalIp && !isBep42Exempt(externalIp)) id = nodeIdFor(externalIp, random(1)[0], random);
  let table: RoutingTable | null = null;
  if (state !== undefined) {
    try {
      table = RoutingTable.fromJSON(state, now, id ? { ...settings, ownId: id } : settings);
      if (!id && externalIp && !isValidNodeIdFor(table.id, externalIp)) {
        table = RoutingTable.fromJSON(state, now, { ...settings, ownId: nodeIdFor(externalIp, random(1)[0], random) });
      }
    } catch {
      table = null;
    }
  }
  return table ?? new RoutingTable(id ?? randomNodeId(random), now, settings);
}

/** A new id for a new external address `ip`: the nodes we know, kept in a table around the new id. */
export function rehomedTable(table: RoutingTable, ip: string, now: number, settings: TableSettings): RoutingTable {
  const id = nodeIdFor(ip, settings.random(1)[0], settings.random);
  return RoutingTable.fromJSON(table.toJSON(), now, { ...settings, ownId: id });
}

// The status bar's DHT count: one number for both address families, the split in its tooltip.

/** The DHT count's tooltip: how the nodes split between the IPv4 and the IPv6 DHT (BEP 32), when the engine says. */
export function dhtTitle(nodes: number, nodes6: number | undefined): string {
  if (nodes6 === undefined) return 'Nodes in the DHT routing table';
  return `Nodes in the DHT routing tables: ${Math.max(0, nodes - nodes6)} IPv4, ${nodes6} IPv6`;
}

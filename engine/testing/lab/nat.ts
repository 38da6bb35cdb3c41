// nftables rules of a NAT router namespace, as text for `nft -f -`. IPv4 leaving through the WAN interface is
// masqueraded; forwarded traffic from the WAN side is dropped unless it belongs to a connection the LAN opened or was
// mapped by a DNAT rule (mapPortRule). IPv6 is not translated; the same forward filter makes the router a stateful
// firewall for it. The router's own sockets (issue 12: miniupnpd) are not filtered.

export const NAT_TABLE = 'labnat';
export const FILTER_TABLE = 'labfilter';

export function natRuleset(wanIf: string): string {
  return [
    `table ip ${NAT_TABLE} {`,
    '  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }',
    `  chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "${wanIf}" masquerade; }`,
    '}',
    `table inet ${FILTER_TABLE} {`,
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    `    iifname != "${wanIf}" accept`,
    '    ct status dnat accept',
    '  }',
    '}',
    '',
  ].join('\n');
}

export type Protocol = 'tcp' | 'udp';

/** `nft` arguments adding a port mapping: WAN `port` → `toAddress:toPort`. */
export function mapPortRule(wanIf: string, proto: Protocol, port: number, toAddress: string, toPort: number): string[] {
  for (const p of [port, toPort]) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`lab: bad port ${p}`);
  return ['add', 'rule', 'ip', NAT_TABLE, 'prerouting', 'iifname', wanIf, proto, 'dport', String(port), 'dnat', 'to', `${toAddress}:${toPort}`];
}

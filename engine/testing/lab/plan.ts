// The lab's topology as data: which namespaces, veth pairs, addresses and routes a LabSpec turns into.
// Pure (no commands run here), so the address plan and the routing rules can be read and tested on their own.
import { parseRate, queueBytes, type Shape } from './shaping.js';

/** A machine that runs programs (a BitTorrent client, a probe). Never forwards. */
export interface HostSpec {
  readonly name: string;
}

/**
 * A router forwards between its links. With `nat`, the link toward the neighbour named `nat.wan` is its WAN side
 * and everything else its LAN: IPv4 leaving through WAN is masqueraded, and nothing from WAN reaches the LAN unless
 * a port is mapped (Lab.mapPort). Networks behind a NAT router get no IPv4 route from outside, as on the internet.
 */
export interface RouterSpec {
  readonly name: string;
  readonly nat?: { readonly wan: string };
}

/** A switch (a Linux bridge in its own namespace): every node linked to it shares one subnet, e.g. a "public" segment. */
export interface SwitchSpec {
  readonly name: string;
}

/**
 * A veth pair between two nodes (at most one of them a switch). `rate` and `queueMs` shape both directions
 * (htb on each end's egress with a byte FIFO holding `queueMs` at that rate); `aToB` / `bToA` shape one direction.
 */
export interface LinkSpec {
  readonly a: string;
  readonly b: string;
  readonly rate?: string;
  readonly queueMs?: number;
  readonly aToB?: Shape;
  readonly bToA?: Shape;
}

export interface LabSpec {
  readonly hosts: readonly HostSpec[];
  readonly routers?: readonly RouterSpec[];
  readonly switches?: readonly SwitchSpec[];
  readonly links: readonly LinkSpec[];
  /** Also give every interface an IPv6 address from the lab's ULA range (and IPv6 routes). */
  readonly ipv6?: boolean;
  /**
   * TCP congestion control in every namespace (net.ipv4.tcp_congestion_control is per namespace); default the
   * kernel's. Loss-based 'reno'/'cubic' fill a deep bottleneck queue, 'bbr' keeps it nearly empty. (This machine's kernel lists
   * cubic but refuses it with EIO; reno always exists.)
   */
  readonly tcpCongestion?: 'cubic' | 'bbr' | 'reno';
}

export type NodeKind = 'host' | 'router' | 'switch';

/** One end of a link, inside a node's namespace. */
export interface Attachment {
  readonly node: string;
  /** Interface name inside the node's namespace (names only need to be unique per namespace). */
  readonly ifname: string;
  readonly network: number;
  /** Absent on a switch port. */
  readonly ipv4?: string;
  readonly ipv6?: string;
  /** Shaping of traffic leaving through this interface. */
  readonly egress?: Required<Shape>;
  /** The node at the other end (for a switch network: the switch). */
  readonly peer: string;
}

export interface Route {
  readonly node: string;
  readonly family: 4 | 6;
  readonly prefix: string;
  readonly via: string;
  readonly dev: string;
}

export interface Plan {
  readonly kinds: ReadonlyMap<string, NodeKind>;
  readonly attachments: readonly Attachment[];
  /** Pairs of attachments joined by one veth. */
  readonly veths: readonly (readonly [Attachment, Attachment])[];
  readonly routes: readonly Route[];
  readonly nat: ReadonlyMap<string, { readonly wanIf: string; readonly lanIfs: readonly string[] }>;
}

/** 10.199.0.0/16 and this ULA /48 are used only inside namespaces the lab creates; the root namespace is never attached. */
export const IPV4_BASE = '10.199';
export const IPV6_BASE = 'fd7e:5a1b:c0de';
export const DEFAULT_QUEUE_MS = 250;
const MAX_NETWORKS = 250;

export function networkPrefix(network: number, family: 4 | 6): string {
  return family === 4 ? `${IPV4_BASE}.${network}.0/24` : `${IPV6_BASE}:${network.toString(16)}::/64`;
}

function address(network: number, hostNumber: number, family: 4 | 6): string {
  return family === 4 ? `${IPV4_BASE}.${network}.${hostNumber}` : `${IPV6_BASE}:${network.toString(16)}::${hostNumber.toString(16)}`;
}

const NAME = /^[a-z][a-z0-9]{0,11}$/;

function shapeOf(explicit: Shape | undefined, link: LinkSpec): Required<Shape> | undefined {
  const rate = explicit?.rate ?? link.rate;
  if (rate === undefined) return undefined;
  parseRate(rate); // validate early, with the link named in the error below
  const queueMs = explicit?.queueMs ?? link.queueMs ?? DEFAULT_QUEUE_MS;
  queueBytes(rate, queueMs);
  return { rate, queueMs };
}

/** Turns a LabSpec into namespaces, veths, addresses and static routes; throws on a malformed spec. */
export function planLab(spec: LabSpec): Plan {
  const kinds = new Map<string, NodeKind>();
  const add = (name: string, kind: NodeKind): void => {
    if (!NAME.test(name)) throw new Error(`lab: node name ${JSON.stringify(name)} must be 1-12 lowercase letters/digits, starting with a letter`);
    if (kinds.has(name)) throw new Error(`lab: node name ${name} is used twice`);
    kinds.set(name, kind);
  };
  for (const h of spec.hosts) add(h.name, 'host');
  for (const r of spec.routers ?? []) add(r.name, 'router');
  for (const s of spec.switches ?? []) add(s.name, 'switch');

  const ifCount = new Map<string, number>();
  const nextIf = (node: string): string => {
    const n = ifCount.get(node) ?? 0;
    ifCount.set(node, n + 1);
    return `${kinds.get(node) === 'switch' ? 'p' : 'e'}${n}`;
  };
  // Networks: each switch is one; each link not touching a switch is its own.
  const switchNetwork = new Map<string, number>();
  const hostNumbers = new Map<number, number>();
  let networks = 0;
  const newNetwork = (): number => {
    if (++networks > MAX_NETWORKS) throw new Error(`lab: more than ${MAX_NETWORKS} networks`);
    return networks;
  };
  for (const s of spec.switches ?? []) switchNetwork.set(s.name, newNetwork());

  const attachments: Attachment[] = [];
  const veths: [Attachment, Attachment][] = [];
  for (const link of spec.links) {
    for (const end of [link.a, link.b]) if (!kinds.has(end)) throw new Error(`lab: link ${link.a}-${link.b} names unknown node ${end}`);
    if (link.a === link.b) throw new Error(`lab: link ${link.a}-${link.b} joins a node to itself`);
    const sw = [link.a, link.b].filter((n) => kinds.get(n) === 'switch');
    if (sw.length === 2) throw new Error(`lab: link ${link.a}-${link.b} joins two switches`);
    const network = sw.length ? (switchNetwork.get(sw[0]) as number) : newNetwork();
    const end = (node: string, peer: string, egress: Required<Shape> | undefined): Attachment => {
      const base = { node, ifname: nextIf(node), network, peer, ...(egress ? { egress } : {}) };
      if (kinds.get(node) === 'switch') return base;
      const n = (hostNumbers.get(network) ?? 0) + 1;
      hostNumbers.set(network, n);
      return { ...base, ipv4: address(network, n, 4), ...(spec.ipv6 ? { ipv6: address(network, n, 6) } : {}) };
    };
    const a = end(link.a, link.b, shapeOf(link.aToB, link));
    const b = end(link.b, link.a, shapeOf(link.bToA, link));
    attachments.push(a, b);
    veths.push([a, b]);
  }

  const nat = new Map<string, { wanIf: string; lanIfs: string[] }>();
  for (const r of spec.routers ?? []) {
    if (!r.nat) continue;
    const own = attachments.filter((x) => x.node === r.name);
    const wan = own.filter((x) => x.peer === r.nat?.wan);
    if (wan.length !== 1) throw new Error(`lab: NAT router ${r.name} needs exactly one link to its WAN neighbour ${r.nat.wan}`);
    nat.set(r.name, { wanIf: wan[0].ifname, lanIfs: own.filter((x) => x !== wan[0]).map((x) => x.ifname) });
  }

  const routes = [...computeRoutes(kinds, attachments, nat, 4), ...(spec.ipv6 ? computeRoutes(kinds, attachments, nat, 6) : [])];
  return { kinds, attachments, veths, routes, nat };
}

/**
 * Static routes by breadth-first search from every host and router: for each network it is not on, the first hop
 * of a shortest path. Only routers forward. IPv4 never enters a NAT router from its WAN side (the LAN is hidden
 * behind masquerading); IPv6 may (the router's firewall drops unsolicited inbound instead).
 */
function computeRoutes(
  kinds: ReadonlyMap<string, NodeKind>,
  attachments: readonly Attachment[],
  nat: ReadonlyMap<string, { wanIf: string }>,
  family: 4 | 6,
): Route[] {
  const onNetwork = new Map<number, Attachment[]>();
  for (const x of attachments) onNetwork.set(x.network, [...(onNetwork.get(x.network) ?? []), x]);
  const addrOf = (x: Attachment): string | undefined => (family === 4 ? x.ipv4 : x.ipv6);
  const routes: Route[] = [];
  for (const [source, kind] of kinds) {
    if (kind === 'switch') continue;
    // Frontier entries: a network reached, with the first hop (gateway address, our interface) used to get there.
    const seen = new Set<number>();
    const queue: { network: number; via: string | null; dev: string }[] = [];
    for (const x of attachments.filter((a) => a.node === source)) {
      seen.add(x.network);
      queue.push({ network: x.network, via: null, dev: x.ifname });
    }
    for (let i = 0; i < queue.length; i++) {
      const { network, via, dev } = queue[i];
      for (const neighbour of onNetwork.get(network) ?? []) {
        if (neighbour.node === source || kinds.get(neighbour.node) !== 'router') continue;
        const natInfo = nat.get(neighbour.node);
        const enteringFromWan = natInfo !== undefined && natInfo.wanIf === neighbour.ifname;
        const gateway = via ?? addrOf(neighbour);
        if (gateway === undefined) continue;
        for (const out of attachments.filter((a) => a.node === neighbour.node && a.network !== network)) {
          if (seen.has(out.network)) continue;
          if (family === 4 && enteringFromWan) continue;
          seen.add(out.network);
          queue.push({ network: out.network, via: gateway, dev });
          routes.push({ node: source, family, prefix: networkPrefix(out.network, family), via: gateway, dev });
        }
      }
    }
  }
  return routes;
}

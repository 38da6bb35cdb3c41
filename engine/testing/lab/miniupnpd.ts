// miniupnpd (Debian's 2.3.1) on a lab NAT router: UPnP IGD and/or NAT-PMP/PCP for the hosts behind it. As
// TESTING-NOTES.md records, with a private WAN address it needs ext_perform_stun against a STUN server on the
// "public" side (tools/stun.ts), its own nft table and chains (created here), a lease file, and a fresh http_port.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessHandle } from '../processes.js';
import type { Lab } from './lab.js';

export const MINIUPNPD_TABLE = 'mupnp';

export interface MiniupnpdOptions {
  readonly upnp: boolean;
  /** NAT-PMP and PCP (one switch in miniupnpd). */
  readonly natpmp: boolean;
  /** The STUN server on the WAN side. */
  readonly stun: { readonly host: string; readonly port: number };
  readonly httpPort: number;
}

export interface Miniupnpd {
  readonly process: ProcessHandle;
  readonly leaseFile: string;
  /** The lease file's lines (`TCP:6881:10.199.2.2:6881:…`); empty when nothing is mapped (or no file). */
  leases(): Promise<string[]>;
  /** miniupnpd's nft rules as text (its DNAT rules name the mapped ports). */
  rules(): Promise<string>;
}

function ruleset(): string {
  const t = MINIUPNPD_TABLE;
  return [
    `table inet ${t} {`,
    `  chain ${t}_fwd { }`,
    `  chain ${t}_pre { }`,
    `  chain ${t}_post { }`,
    `  chain forward { type filter hook forward priority 0; policy accept; jump ${t}_fwd; }`,
    `  chain prerouting { type nat hook prerouting priority -100; policy accept; jump ${t}_pre; }`,
    `  chain postrouting { type nat hook postrouting priority 100; policy accept; jump ${t}_post; }`,
    '}',
    '',
  ].join('\n');
}

/** Starts miniupnpd in the foreground (-d) on NAT router `router`, serving its LAN toward `lanPeer`. */
export async function startMiniupnpd(lab: Lab, router: string, lanPeer: string, opts: MiniupnpdOptions): Promise<Miniupnpd> {
  const nat = lab.plan.nat.get(router);
  if (!nat) throw new Error(`lab: ${router} is not a NAT router`);
  const lan = lab.plan.attachments.find((a) => a.node === router && a.peer === lanPeer);
  if (!lan?.ipv4) throw new Error(`lab: ${router} has no link to ${lanPeer}`);
  await lab.exec(router, 'miniupnpd', ['--version']).catch(() => {
    throw new Error('miniupnpd is not installed: run "node scripts/prereqs.mjs" (apt-get install miniupnpd)');
  });
  await lab.exec(router, 'nft', ['-f', '-'], { input: ruleset() });
  const leaseFile = join(lab.workDir, `miniupnpd-${router}.leases`);
  const conf = join(lab.workDir, `miniupnpd-${router}.conf`);
  const subnet = `${lan.ipv4.split('.').slice(0, 3).join('.')}.0/24`;
  await writeFile(leaseFile, '');
  await writeFile(
    conf,
    [
      `ext_ifname=${nat.wanIf}`,
      `listening_ip=${lan.ifname}`,
      `http_port=${opts.httpPort}`,
      `enable_upnp=${opts.upnp ? 'yes' : 'no'}`,
      `enable_natpmp=${opts.natpmp ? 'yes' : 'no'}`,
      'ext_perform_stun=yes',
      `ext_stun_host=${opts.stun.host}`,
      `ext_stun_port=${opts.stun.port}`,
      `upnp_table_name=${MINIUPNPD_TABLE}`,
      `upnp_nat_table_name=${MINIUPNPD_TABLE}`,
      `upnp_forward_chain=${MINIUPNPD_TABLE}_fwd`,
      `upnp_nat_chain=${MINIUPNPD_TABLE}_pre`,
      `upnp_nat_postrouting_chain=${MINIUPNPD_TABLE}_post`,
      `lease_file=${leaseFile}`,
      'secure_mode=yes',
      'system_uptime=no',
      'uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b',
      `allow 1024-65535 ${subnet} 1024-65535`,
      'deny 0-65535 0.0.0.0/0 0-65535',
      '',
    ].join('\n'),
  );
  const pidFile = join(lab.workDir, `miniupnpd-${router}.pid`);
  const proc = lab.spawn(router, 'miniupnpd', ['-d', '-f', conf, '-P', pidFile], { name: `${router}-miniupnpd`, stopSignal: 'SIGTERM', killAfterMs: 3000 });
  // It logs to syslog and, with -d, to stderr; ready once it says which services it serves.
  await proc.waitForLine(opts.upnp ? /HTTP listening on port/ : /Listening for NAT-PMP|NAT-PMP|PCP/, 20_000).catch((err: Error) => {
    throw new Error(`miniupnpd did not start: ${err.message}\n${proc.tail()}`);
  });
  return {
    process: proc,
    leaseFile,
    // miniupnpd deletes the file when it holds no lease.
    leases: async () => (await readFile(leaseFile, 'utf8').catch(() => '')).split('\n').filter((l) => l.trim() !== ''),
    rules: async () => (await lab.exec(router, 'nft', ['list', 'table', 'inet', MINIUPNPD_TABLE])).stdout,
  };
}

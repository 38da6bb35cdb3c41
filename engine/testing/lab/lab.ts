// The network lab: hosts, routers and switches as Linux network namespaces joined by veth pairs, with addresses from a
// private test range that exists only inside them (the root namespace is never attached, so nothing can leak), static
// routes, optional NAT routers (nftables) and htb-shaped bottleneck links. Every process started in it is stopped by
// PID and every namespace deleted by close(), also after a failure; exit/signal hooks are the last resort.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type ProcessHandle, startProcess } from '../processes.js';
import { mapPortRule, natRuleset, type Protocol } from './nat.js';
import { type Attachment, type LabSpec, type Plan, planLab } from './plan.js';
import { shapingCommands } from './shaping.js';
import { assertLabAvailable, NS_PREFIX, removeNamespaceSync, run, type RunResult, sweepStaleNamespaces, trackNamespace, untrackNamespace } from './system.js';

export interface SpawnOptions {
  /** Label for logs and errors; default `<node>-<command>-<n>`. */
  readonly name?: string;
  /** Default the lab's work directory. */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Signal stop() sends first (default SIGINT), and how long before SIGKILL. */
  readonly stopSignal?: NodeJS.Signals;
  readonly killAfterMs?: number;
}

export interface ExecOptions {
  readonly timeoutMs?: number;
  /** Reject on a non-zero exit (default true). */
  readonly check?: boolean;
  readonly input?: string;
  readonly cwd?: string;
}

let labCount = 0;

export class Lab {
  private readonly processes = new Set<ProcessHandle>();
  private readonly created: string[] = [];
  private spawned = 0;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly spec: LabSpec,
    readonly plan: Plan,
    /** Scratch directory for logs and client data; removed by close() unless TESSERA_LAB_KEEP=1. */
    readonly workDir: string,
    private readonly id: string,
  ) {}

  /** Builds the lab; on any failure tears down what was built and rethrows. */
  static async create(spec: LabSpec): Promise<Lab> {
    const plan = planLab(spec);
    await assertLabAvailable();
    sweepStaleNamespaces();
    const lab = new Lab(spec, plan, await mkdtemp(join(tmpdir(), 'tessera-lab-')), `${NS_PREFIX}${process.pid}x${++labCount}`);
    try {
      await lab.build();
    } catch (e) {
      await lab.close();
      throw e;
    }
    return lab;
  }

  /** The namespace name of a node. */
  namespace(node: string): string {
    if (!this.plan.kinds.has(node)) throw new Error(`lab: no node named ${node}`);
    return `${this.id}-${node}`;
  }

  /** The command prefix that runs a program inside a node's namespace. */
  launcher(node: string): string[] {
    return ['ip', 'netns', 'exec', this.namespace(node)];
  }

  /**
   * A node's address: on the network it shares with `toward` if given (a router has one per link), else on its first
   * link. IPv6 only when the lab was created with `ipv6: true`.
   */
  address(node: string, opts: { family?: 4 | 6; toward?: string } = {}): string {
    const mine = this.plan.attachments.filter((a) => a.node === node && a.ipv4 !== undefined);
    const pick: Attachment | undefined = opts.toward === undefined ? mine[0] : mine.find((a) => this.plan.attachments.some((b) => b.node === opts.toward && b.network === a.network));
    const addr = opts.family === 6 ? pick?.ipv6 : pick?.ipv4;
    if (addr === undefined) throw new Error(`lab: ${node} has no IPv${opts.family ?? 4} address${opts.toward ? ` toward ${opts.toward}` : ''}`);
    return addr;
  }

  /** Runs a command to completion inside a node's namespace (own process group, killed by PID on timeout). */
  exec(node: string, cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.namespace(node), cmd, ...args], { cwd: this.workDir, ...opts });
  }

  /** Starts a long-running process inside a node's namespace; close() stops it by PID if the test did not. */
  spawn(node: string, cmd: string, args: readonly string[], opts: SpawnOptions = {}): ProcessHandle {
    const name = opts.name ?? `${node}-${basename(cmd)}-${++this.spawned}`;
    const proc = startProcess('ip', ['netns', 'exec', this.namespace(node), cmd, ...args], {
      cwd: opts.cwd ?? this.workDir,
      logFile: join(this.workDir, `${name}.log`),
      name,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.stopSignal ? { stopSignal: opts.stopSignal } : {}),
      ...(opts.killAfterMs !== undefined ? { killAfterMs: opts.killAfterMs } : {}),
    });
    return this.adopt(proc);
  }

  /** Makes close() stop a process started some other way inside the lab (e.g. a reference client via launcher()). */
  adopt(proc: ProcessHandle): ProcessHandle {
    this.processes.add(proc);
    void proc.exited.then(() => this.processes.delete(proc));
    return proc;
  }

  /** On a NAT router: forward `proto` `port` arriving on its WAN side to `to`:`toPort` (default the same port). */
  async mapPort(router: string, m: { proto: Protocol; port: number; to: string; toPort?: number }): Promise<void> {
    const nat = this.plan.nat.get(router);
    if (!nat) throw new Error(`lab: ${router} is not a NAT router`);
    await this.exec(router, 'nft', mapPortRule(nat.wanIf, m.proto, m.port, this.address(m.to, { toward: router }), m.toPort ?? m.port));
  }

  /** Stops every process (by PID) and deletes every namespace, and with them every veth. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.processes].map((p) => p.stop(2000)));
      for (const ns of this.created) {
        removeNamespaceSync(ns);
        untrackNamespace(ns);
      }
      if (process.env.TESSERA_LAB_KEEP !== '1') await rm(this.workDir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  private async ip(args: readonly string[]): Promise<void> {
    await run('ip', args);
  }

  private async build(): Promise<void> {
    const { plan } = this;
    for (const [node, kind] of plan.kinds) {
      const ns = this.namespace(node);
      trackNamespace(ns); // before creating it: an exit hook must find it even if we die half-way
      this.created.push(ns);
      await this.ip(['netns', 'add', ns]);
      await this.ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      if (kind === 'router') {
        await this.exec(node, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding']);
      }
      if (kind !== 'switch' && this.spec.tcpCongestion) {
        await this.exec(node, 'sh', ['-c', `echo ${this.spec.tcpCongestion} > /proc/sys/net/ipv4/tcp_congestion_control`]);
      }
      if (kind === 'switch') {
        await this.ip(['-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
        await this.ip(['-n', ns, 'link', 'set', 'br0', 'up']);
      }
    }
    for (const [a, b] of plan.veths) {
      // Both ends are created directly inside their namespaces: the root namespace never sees them.
      await this.ip(['link', 'add', a.ifname, 'netns', this.namespace(a.node), 'type', 'veth', 'peer', 'name', b.ifname, 'netns', this.namespace(b.node)]);
    }
    for (const x of plan.attachments) {
      const ns = this.namespace(x.node);
      if (x.ipv4 === undefined) await this.ip(['-n', ns, 'link', 'set', x.ifname, 'master', 'br0']);
      else await this.ip(['-n', ns, 'addr', 'add', `${x.ipv4}/24`, 'dev', x.ifname]);
      if (x.ipv6 !== undefined) await this.ip(['-n', ns, '-6', 'addr', 'add', `${x.ipv6}/64`, 'dev', x.ifname, 'nodad']);
      if (x.egress) for (const args of shapingCommands(x.ifname, x.egress)) await run('tc', ['-n', ns, ...args]);
      await this.ip(['-n', ns, 'link', 'set', x.ifname, 'up']);
    }
    for (const r of plan.routes) {
      await this.ip(['-n', this.namespace(r.node), r.family === 4 ? '-4' : '-6', 'route', 'add', r.prefix, 'via', r.via, 'dev', r.dev]);
    }
    for (const [router, nat] of plan.nat) await this.exec(router, 'nft', ['-f', '-'], { input: natRuleset(nat.wanIf) });
  }
}

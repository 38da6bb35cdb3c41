// Commands the lab runs as root (ip, tc, nft), the names of its namespaces, and the last-resort cleanup: namespaces of
// this process are removed on exit or a fatal signal, and stale namespaces of earlier runs (same prefix, dead pid)
// are swept before a new lab is built.
import { execFileSync, spawn } from 'node:child_process';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion in its own process group, killing the group (by its PID) on timeout.
 * Rejects when `check` is set and the exit code is not 0.
 */
export function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string; check?: boolean; cwd?: string } = {}): Promise<RunResult> {
  const { timeoutMs = 30_000, check = true } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { detached: true, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the command may exit without reading; its exit code tells
      child.stdin.end(opts.input);
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const r = { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (timedOut) reject(new Error(`${cmd} ${args.join(' ')}: timed out after ${timeoutMs} ms\n${r.stderr}`));
      else if (check && code !== 0) reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${r.stderr.trim() || r.stdout.trim()}`));
      else resolve(r);
    });
  });
}

export function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: gone already.
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespace names: `<prefix><pid>x<lab number>-<node>`, so a sweep can tell whose they are. */
export const NS_PREFIX = 'tlab';
const NS_NAME = new RegExp(`^${NS_PREFIX}(\\d+)x\\d+-[a-z0-9]+$`);

export function listNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
  return out
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n !== '');
}

/** PIDs of processes inside a namespace (`ip netns pids`). */
function namespacePids(ns: string): number[] {
  try {
    const out = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 });
    return out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  } catch {
    return [];
  }
}

/**
 * Synchronous removal, usable from an exit hook: SIGKILL whatever still runs inside (each by PID: only lab processes
 * can be there, as nothing else is ever started in a lab namespace), then delete the namespace, which deletes its veth
 * ends and with them their peers.
 */
export function removeNamespaceSync(ns: string): void {
  for (const pid of namespacePids(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  try {
    execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // already gone
  }
}

/** Deletes namespaces left by earlier lab runs whose process has died (a crash, SIGKILL). Returns their names. */
export function sweepStaleNamespaces(): string[] {
  const stale = listNamespaces().filter((ns) => {
    const m = NS_NAME.exec(ns);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  });
  for (const ns of stale) removeNamespaceSync(ns);
  return stale;
}

const live = new Set<string>();
let hooksInstalled = false;

/** Remembers a namespace this process created, for the exit/signal hooks. */
export function trackNamespace(ns: string): void {
  installHooks();
  live.add(ns);
}

export function untrackNamespace(ns: string): void {
  live.delete(ns);
}

function removeAllSync(): void {
  for (const ns of live) removeNamespaceSync(ns);
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Last resort when a test process ends without lab.close() (an uncaught error, a runner timeout's SIGTERM).
  process.on('exit', removeAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      removeAllSync();
      process.off(sig, onSignal);
      process.kill(process.pid, sig); // default action again: terminate with this signal
    };
    process.on(sig, onSignal);
  }
}

/** Throws one clear message when this process cannot build namespaces (not root, or no `ip`/`tc`). */
export async function assertLabAvailable(): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('network lab: needs root (it creates network namespaces, veth pairs, tc and nftables rules); run the lab suite as root, as CI does');
  }
  for (const [tool, args] of [['ip', ['-V']], ['tc', ['-V']], ['nft', ['--version']]] as const) {
    try {
      await run(tool, args, { timeoutMs: 10_000 });
    } catch (e) {
      throw new Error(`network lab: ${tool} is missing or broken (${(e as Error).message}); install iproute2 and nftables (scripts/prereqs.mjs)`);
    }
  }
}

// Child processes for interop tests: each in its own process group, output captured to a log file,
// stopped by PID (SIGINT to the group, SIGKILL after a timeout). Everything started is tracked so one
// `stopAll()` in an `after()` hook leaves nothing running, even when a test fails half-way.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  /** Working directory; also where the log goes when `logFile` is not given. */
  readonly cwd: string;
  /** Environment added on top of process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr are written (both, interleaved). Defaults to `<cwd>/<name>.log`. */
  readonly logFile?: string;
  /** Short label used in logs and error messages. Defaults to the command's basename. */
  readonly name?: string;
  /** Signal `stop()` sends first. Default SIGINT. */
  readonly stopSignal?: NodeJS.Signals;
  /** How long `stop()` waits after the first signal before SIGKILL. Default 5000 ms. */
  readonly killAfterMs?: number;
}

export interface ProcessHandle {
  readonly pid: number;
  readonly name: string;
  readonly logFile: string;
  /** Resolves (never rejects) when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** True once the process has exited. */
  readonly hasExited: boolean;
  /**
   * Resolves with the match for the first output line (stdout or stderr, split on \n and \r) matching `re`,
   * including lines already printed. Rejects on timeout or if the process exits first.
   */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Calls `fn` for every future output line; returns an unsubscribe function. */
  onLine(fn: (line: string) => void): () => void;
  /** All output lines so far (capped to the last 5,000). */
  lines(): readonly string[];
  /** The last `n` output lines joined, for error messages. */
  tail(n?: number): string;
  /** Sends a signal to the whole process group. No-op once exited. */
  signal(sig: NodeJS.Signals): void;
  /** SIGINT (or stopSignal) to the group, SIGKILL after killAfterMs, then waits for exit. Idempotent. */
  stop(killAfterMs?: number): Promise<ExitInfo>;
}

const MAX_LINES = 5000;
const running = new Set<ProcessHandle>();
let exitHookInstalled = false;

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the test process ends without after() hooks running: kill what we started, by PID.
  process.on('exit', () => {
    for (const h of running) killGroup(h.pid, 'SIGKILL');
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function startProcess(cmd: string, args: readonly string[], opts: StartProcessOptions): ProcessHandle {
  installExitHook();
  const name = opts.name ?? cmd.split('/').pop() ?? cmd;
  const logFile = opts.logFile ?? join(opts.cwd, `${name}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`$ ${cmd} ${args.join(' ')}\n`);

  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    // Tessera children never map ports on the host's router (TESSERA_PORT_MAPPING=0) unless a test asks (the lab).
    env: { TESSERA_PORT_MAPPING: '0', ...process.env, ...opts.env },
    detached: true, // own process group, so stop() reaches grandchildren (hook scripts, shells)
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    // spawn failed synchronously (e.g. ENOENT); the 'error' event carries the reason.
    log.end();
  }
  const pid = child.pid ?? -1;

  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let exitInfo: ExitInfo | null = null;
  let spawnError: Error | null = null;

  const partial: Record<'out' | 'err', string> = { out: '', err: '' };
  const onData = (which: 'out' | 'err') => (chunk: Buffer) => {
    log.write(chunk);
    const parts = (partial[which] + chunk.toString('utf8')).split(/\r\n|\n|\r/);
    partial[which] = parts.pop() ?? '';
    for (const line of parts) emit(line);
  };
  const emit = (line: string): void => {
    if (line.length === 0) return;
    lines.push(line);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
    for (const fn of listeners) fn(line);
  };
  child.stdout?.on('data', onData('out'));
  child.stderr?.on('data', onData('err'));

  const exited = new Promise<ExitInfo>((resolve) => {
    const finish = (info: ExitInfo): void => {
      if (exitInfo) return;
      for (const which of ['out', 'err'] as const) if (partial[which]) emit(partial[which]);
      exitInfo = info;
      running.delete(handle);
      log.end(`\n[${name} exited: code=${info.code} signal=${info.signal}]\n`);
      resolve(info);
    };
    child.on('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) finish({ code: null, signal: null });
    });
    child.on('close', (code, signal) => finish({ code, signal }));
  });

  let stopping: Promise<ExitInfo> | null = null;

  const handle: ProcessHandle = {
    pid,
    name,
    logFile,
    exited,
    get hasExited() {
      return exitInfo !== null;
    },
    lines: () => lines,
    tail: (n = 30) => lines.slice(-n).join('\n'),
    onLine(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    waitForLine(re, timeoutMs) {
      for (const line of lines) {
        const m = re.exec(line);
        if (m) return Promise.resolve(m);
      }
      return new Promise<RegExpExecArray>((resolve, reject) => {
        let settled = false;
        const cleanup = (): void => {
          settled = true;
          clearTimeout(timer);
          off();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name} (pid ${pid}): no line matching ${re} within ${timeoutMs} ms; last output:\n${handle.tail()}`));
        }, timeoutMs);
        const off = handle.onLine((line) => {
          const m = re.exec(line);
          if (m) {
            cleanup();
            resolve(m);
          }
        });
        void exited.then((info) => {
          // Give the final lines (flushed on close) a chance to match first.
          setImmediate(() => {
            if (settled) return;
            cleanup();
            const why = spawnError ? `failed to start: ${spawnError.message}` : `exited (code=${info.code} signal=${info.signal})`;
            reject(new Error(`${name} (pid ${pid}) ${why} before printing a line matching ${re}; last output:\n${handle.tail()}`));
          });
        });
      });
    },
    signal(sig) {
      if (exitInfo || pid < 0) return;
      killGroup(pid, sig);
    },
    stop(killAfterMs = opts.killAfterMs ?? 5000) {
      if (stopping) return stopping;
      stopping = (async () => {
        if (!exitInfo && pid > 0) {
          killGroup(pid, opts.stopSignal ?? 'SIGINT');
          const timedOut = await Promise.race([exited.then(() => false), delay(killAfterMs).then(() => true)]);
          if (timedOut) killGroup(pid, 'SIGKILL');
        }
        const info = await exited;
        // Stragglers left in the group (hook scripts...): the group id is still ours right after the leader's exit.
        if (pid > 0) killGroup(pid, 'SIGKILL');
        return info;
      })();
      return stopping;
    },
  };
  if (pid > 0) running.add(handle);
  return handle;
}

/** Processes started by startProcess() that have not exited yet. */
export function runningProcesses(): readonly ProcessHandle[] {
  return [...running];
}

/** Stops every process this test file started and has not exited, each by its PID. */
export async function stopAll(killAfterMs?: number): Promise<void> {
  await Promise.all([...running].map((h) => h.stop(killAfterMs)));
}

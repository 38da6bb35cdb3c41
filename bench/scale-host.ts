// The measured process of bench/scale.ts: hosts a Session the way the daemon does (and the worker,
// but over a pipe rather than a MessagePort) and nothing else. Every event, reply and log line goes to
// stdout as one line of wire text (engine/api/wire.ts); requests come in on stdin, one a line.
// Counting bytes, keeping the UI's copy of the list and timing all happen in the parent, so the
// CPU this process uses (read by the parent from /proc/<pid>/stat) is the host's alone.
//
//   scale-host.ts --session <stateDir> <dataDir>   a Session on that folder
//   scale-host.ts --baseline                       the same runtime, loader and pipes, no Session
//
// Besides protocol requests, the parent may send { kind: 'control', op } lines:
//   'memory'       answered with { kind: 'memory', rss, heapUsed }
//   'prof-start'   starts a CPU profile (inspector) of this process
//   'prof-stop'    stops it and writes it to `path`
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeMessage, encodeMessage } from '../engine/api/wire.js';
import type { EngineMessage } from '../engine/api/types.js';
import { Session } from '../engine/session/session.js';

export type HostLine =
  | EngineMessage
  | { kind: 'ready'; openMs: number; port: number }
  | { kind: 'log'; line: string; torrent: string | null }
  | { kind: 'memory'; rss: number; heapUsed: number }
  | { kind: 'profiled'; path: string }
  | { kind: 'closed'; closeMs: number };

export type HostControl = { kind: 'control'; op: 'memory' } | { kind: 'control'; op: 'prof-start' } | { kind: 'control'; op: 'prof-stop'; path: string };

function send(line: HostLine): void {
  process.stdout.write(encodeMessage(line as EngineMessage) + '\n');
}

interface Profiler {
  stop(path: string): Promise<void>;
}

async function startProfile(): Promise<Profiler> {
  const { Session: Inspector } = await import('node:inspector/promises');
  const inspector = new Inspector();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
  return {
    async stop(path: string): Promise<void> {
      const { profile } = await inspector.post('Profiler.stop');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(profile));
      inspector.disconnect();
    },
  };
}

function isControl(v: unknown): v is HostControl {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'control';
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  let session: Session | null = null;
  if (mode === '--session') {
    const t0 = performance.now();
    session = await Session.open({
      dataDir: process.argv[3],
      defaultDownloadDir: process.argv[4],
      listenHost: '127.0.0.1',
      listenPort: 0,
      onEvent: (ev) => send(ev),
      log: (line, torrent) => send({ kind: 'log', line, torrent: torrent ?? null }),
    });
    send({ kind: 'ready', openMs: performance.now() - t0, port: session.port });
  } else if (mode === '--baseline') {
    send({ kind: 'ready', openMs: 0, port: 0 });
  } else throw new Error('usage: scale-host.ts --session <stateDir> <dataDir> | --baseline');

  let profiler: Profiler | null = null;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (text) => {
    const msg = decodeMessage(text);
    if (isControl(msg)) {
      if (msg.op === 'memory') {
        const m = process.memoryUsage();
        send({ kind: 'memory', rss: m.rss, heapUsed: m.heapUsed });
      } else if (msg.op === 'prof-start') void startProfile().then((p) => (profiler = p));
      else if (profiler) {
        const p = profiler;
        profiler = null;
        void p.stop(msg.path).then(() => send({ kind: 'profiled', path: msg.path }));
      }
      return;
    }
    if (session) void session.requestRaw(msg).then(send);
  });
  // The parent closing stdin is the shutdown signal, as a daemon's SIGTERM or the app's quit.
  lines.on('close', () => {
    const c0 = performance.now();
    void (session?.close() ?? Promise.resolve()).then(() => {
      send({ kind: 'closed', closeMs: performance.now() - c0 });
      process.exit(0);
    });
  });
}

await main();

// Measurements inside the lab, each a tool script (./tools) run in a node's namespace: timed UDP echo (RTT through a
// bottleneck while traffic runs), an iperf-like TCP bulk flow (goodput), and the user-space delay/loss relay.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessHandle } from '../processes.js';
import type { PathMtuStats } from '../../net/utp/mtu.js';
import type { Lab } from './lab.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const tools = fileURLToPath(new URL('./tools/', import.meta.url));

/** Starts a lab tool under tsx (cwd = the repository, so `--import tsx` resolves) and waits for `listening`. */
async function startTool(lab: Lab, node: string, tool: string, args: readonly string[], name: string): Promise<ProcessHandle> {
  const proc = lab.spawn(node, process.execPath, ['--import', 'tsx', join(tools, tool), ...args], { cwd: repo, name, stopSignal: 'SIGTERM', killAfterMs: 2000 });
  await proc.waitForLine(/^listening \d+/, 20_000);
  return proc;
}

async function runTool<T>(lab: Lab, node: string, tool: string, args: readonly string[], timeoutMs: number): Promise<T> {
  const r = await lab.exec(node, process.execPath, ['--import', 'tsx', join(tools, tool), ...args], { cwd: repo, timeoutMs });
  return lastJson<T>(r.stdout, tool);
}

function lastJson<T>(text: string, what: string): T {
  const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${what}: no JSON result in its output:\n${text}`);
  return JSON.parse(line) as T;
}

const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export interface RttStats {
  readonly sent: number;
  readonly received: number;
  /** Fraction of probes without a reply. */
  readonly loss: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly samplesMs: readonly number[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function rttStats(sent: number, samplesMs: readonly number[]): RttStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { sent, received: sorted.length, loss: sent ? 1 - sorted.length / sent : 0, minMs: sorted[0] ?? NaN, medianMs: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95), samplesMs };
}

/** A UDP echo server on `node`:`port` (all addresses). Stop it with its handle, or let lab.close() do it. */
export function startUdpEcho(lab: Lab, node: string, port: number): Promise<ProcessHandle> {
  return startTool(lab, node, 'udp-echo.ts', ['server', '--port', String(port)], `${node}-udp-echo-${port}`);
}

/** Sends `count` UDP probes from `node` to an echo server every `intervalMs` and returns the round-trip times. */
export async function measureRtt(lab: Lab, node: string, to: { host: string; port: number }, opts: { count?: number; intervalMs?: number; waitMs?: number } = {}): Promise<RttStats> {
  const count = opts.count ?? 50;
  const intervalMs = opts.intervalMs ?? 20;
  const waitMs = opts.waitMs ?? 2000;
  const r = await runTool<{ sent: number; rttsMs: number[] }>(
    lab,
    node,
    'udp-echo.ts',
    ['client', '--to', hostPort(to.host, to.port), '--count', String(count), '--interval-ms', String(intervalMs), '--wait-ms', String(waitMs)],
    count * intervalMs + waitMs + 30_000,
  );
  return rttStats(r.sent, r.rttsMs);
}

/** A TCP sink for bulk flows on `node`:`port`. */
export function startBulkSink(lab: Lab, node: string, port: number): Promise<ProcessHandle> {
  return startTool(lab, node, 'bulk.ts', ['sink', '--port', String(port)], `${node}-bulk-sink-${port}`);
}

export interface BulkResult {
  /** Payload bytes the sink received. */
  readonly bytes: number;
  /** From the sink's first byte to the end of the stream. */
  readonly seconds: number;
  /** Goodput at the sink, Mbit/s. */
  readonly mbit: number;
  /** Bytes the source wrote (equal to `bytes` unless the stream broke). */
  readonly sent: number;
}

/** The sink's latest `received` line: its clock (ms) and bytes received on all its connections; null before any. */
export function sinkReceived(sink: ProcessHandle): { ms: number; bytes: number } | null {
  const lines = sink.lines();
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^received (\d+) (\d+)$/.exec(lines[i]);
    if (m) return { ms: Number(m[1]), bytes: Number(m[2]) };
  }
  return null;
}

/** Starts a bulk TCP flow from `node` to a sink; resolves with the sink's report for it when the flow ends. */
export async function runBulkFlow(lab: Lab, node: string, sink: ProcessHandle, to: { host: string; port: number }, seconds: number): Promise<BulkResult> {
  const before = sink.lines().filter((l) => l.startsWith('{')).length;
  const { sent } = await runTool<{ sent: number }>(lab, node, 'bulk.ts', ['source', '--to', hostPort(to.host, to.port), '--seconds', String(seconds)], seconds * 1000 + 60_000);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reports = sink.lines().filter((l) => l.startsWith('{'));
    if (reports.length > before) return { ...(JSON.parse(reports[before]) as Omit<BulkResult, 'sent'>), sent };
    if (Date.now() > deadline) throw new Error(`bulk sink ${sink.name}: no report for the flow; last output:\n${sink.tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RelayOptions {
  /** Port the relay listens on (UDP, and TCP when `tcp`). */
  readonly port: number;
  readonly to: { host: string; port: number };
  /** One-way delay added in each direction. */
  readonly delayMs: number;
  /** UDP drop probability client → target and target → client. */
  readonly lossUp?: number;
  readonly lossDown?: number;
  readonly seed?: number;
  readonly tcp?: boolean;
}

/** Starts the delay/loss relay on `node`. Its stop() prints the forwarded/dropped counts (see relayCounts). */
export function startDelayRelay(lab: Lab, node: string, o: RelayOptions): Promise<ProcessHandle> {
  const args = ['--port', String(o.port), '--to', hostPort(o.to.host, o.to.port), '--delay-ms', String(o.delayMs), '--loss-up', String(o.lossUp ?? 0), '--loss-down', String(o.lossDown ?? 0), '--seed', String(o.seed ?? 1)];
  if (o.tcp) args.push('--tcp', '1');
  return startTool(lab, node, 'delay-relay.ts', args, `${node}-relay-${o.port}`);
}

export interface RelayCounts {
  readonly up: { readonly forwarded: number; readonly dropped: number };
  readonly down: { readonly forwarded: number; readonly dropped: number };
}

/** Stops a relay and returns what it forwarded and dropped each way. */
export async function stopRelay(relay: ProcessHandle): Promise<RelayCounts> {
  await relay.stop();
  return lastJson<RelayCounts>(relay.lines().join('\n'), relay.name);
}

/** A bare uTP receiver (tools/utp-transfer.ts) on `node`:`port`; it reports one transfer and exits. */
export function startUtpReceiver(lab: Lab, node: string, port: number): Promise<ProcessHandle> {
  return startTool(lab, node, 'utp-transfer.ts', ['receive', '--port', String(port)], `${node}-utp-receive-${port}`);
}

export interface UtpTransferResult {
  readonly sent: number;
  readonly sha1: string;
  readonly seconds: number;
  /** The sending connection's path MTU discovery (UtpConnection.pathMtu). */
  readonly pathMtu: PathMtuStats;
}

/** Sends `bytes` over uTP from `node` to a receiver; resolves once the FIN is acknowledged. */
export function runUtpSend(lab: Lab, node: string, to: { host: string; port: number }, bytes: number, timeoutMs = 240_000): Promise<UtpTransferResult> {
  return runTool<UtpTransferResult>(lab, node, 'utp-transfer.ts', ['send', '--to', hostPort(to.host, to.port), '--bytes', String(bytes)], timeoutMs);
}

/** The receiver's report of the transfer it took, waiting up to `timeoutMs` for it. */
export async function utpReceived(receiver: ProcessHandle, timeoutMs = 30_000): Promise<{ bytes: number; sha1: string; seconds: number }> {
  await receiver.waitForLine(/^\{/, timeoutMs);
  return lastJson(receiver.lines().join('\n'), 'utp-transfer receive');
}

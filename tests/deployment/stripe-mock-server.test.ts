/**
 * stripe-mock as the start command runs it (scripts/local/stripe-mock-server.ts): a process that
 * started it and ends without stopping it (an exit on an error, a signal to the start command
 * alone) must not leave it behind, holding its ports, as it did twice on 2026-11-29.
 *
 * It runs the build (dist/), as the start command does: `npm run build` first when run alone.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitUntil } from '../support/waiting';

const SERVER = path.join(__dirname, '../../dist/scripts/local/stripe-mock-server.js');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('stripe-mock started for the local stack', () => {
  it('stops when the process that started it exits without stopping it', async () => {
    // Starts it, answers its PID and exits at once: no stop() is ever called.
    const script = `require(${JSON.stringify(SERVER)}).startStripeMock()
      .then((server) => { process.stdout.write(String(server.pid)); process.exit(0); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    try {
      await waitUntil(() => !alive(pid), `stripe-mock (pid ${pid}) to stop after its owner exited`, 10_000);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

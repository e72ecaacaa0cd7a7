/**
 * stripe-mock on free 127.0.0.1 ports (HTTP and the HTTPS it would otherwise open on every
 * interface), for the payment tests and the start command. Ready once it answers HTTP; stopped by
 * its PID.
 */
import { spawn } from 'node:child_process';
import { keepLastOutput } from './last-output';
import { freePort } from './ports';
import { resolveStripeMock } from './stripe-mock';
import { stopOnExit } from './processes';

export interface StripeMockServer {
  /** `http://127.0.0.1:<port>`, what STRIPE_API_BASE takes. */
  apiBase: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The one secret key the local stack (scripts/start.ts) and the tests' harness
 * (tests/support/stripe-mock.ts) give stripe-mock, so no test passes a key the start command does
 * not. stripe-mock takes only a key that looks like a test-mode one: `sk_test_<x>` or
 * `rk_test_<x>`, exactly three parts split on `_`, the third not empty (`validateAuth` in its
 * server/server.go); anything else, `sk_test_insurflow_local` included, is refused with 401.
 */
export const STRIPE_MOCK_SECRET_KEY = 'sk_test_insurflow';

const READY_WITHIN_MS = 30_000;
const STOP_WITHIN_MS = 10_000;

export async function startStripeMock(): Promise<StripeMockServer> {
  const binary = resolveStripeMock();
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const child = spawn(binary, ['-http-addr', `127.0.0.1:${httpPort}`, '-https-addr', `127.0.0.1:${httpsPort}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Its owner may end without stopping it (an exit on an error, a signal to the start command alone): it goes too.
  stopOnExit(child);
  const stderr = keepLastOutput([child.stderr]);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const apiBase = `http://127.0.0.1:${httpPort}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
    await exited;
    clearTimeout(killer);
  };

  try {
    await waitUntilAnswering(apiBase, exited);
  } catch (err) {
    await stop();
    throw new Error(`stripe-mock did not start on ${apiBase}: ${(err as Error).message}\n${stderr()}`, { cause: err });
  }
  return { apiBase, pid: child.pid!, stop };
}

/** Any HTTP answer (401 without a key) means it serves requests. */
async function waitUntilAnswering(apiBase: string, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (gone) throw new Error('the process exited');
    const answered = await fetch(`${apiBase}/v1/charges`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`no answer after ${READY_WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

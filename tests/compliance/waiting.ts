/** Polling for outcomes that arrive asynchronously (activities, Temporal visibility). */
import type { Client } from '@temporalio/client';

export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not in ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Temporal visibility is eventually consistent: waits until the query counts `expected` runs. */
export function waitForRunCount(temporal: Client, query: string, expected: number, timeoutMs = 60_000): Promise<void> {
  return waitUntil(async () => (await temporal.workflow.count(query)).count === expected, `${expected} runs for ${query}`, timeoutMs);
}

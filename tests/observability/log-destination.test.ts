/**
 * The processes' log destination (src/config/logger.ts): a log reader that falls behind — a full
 * pipe to compose's log driver or to a terminal — must not hold up the process that logs, and
 * every line must still arrive, those buffered at exit included.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { within } from '../support/waiting';

/** The compiled logger, as the API and the worker load it. */
const LOGGER = path.resolve(__dirname, '../../dist/src/config/logger.js');
/** About 4 MB of request-log-sized lines: sixty times what a pipe holds. */
const LINES = 20_000;

/** Logs LINES lines in batches, then says on stderr how long that took and its longest event-loop delay, and exits. */
const probe = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const logger = require(${JSON.stringify(LOGGER)}).createLogger('info', 'probe');
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const started = Date.now();
let i = 0;
const batch = () => {
  for (let k = 0; k < 500; k++) logger.info({ i: i++, route: '/api/v1/plans', pad: 'x'.repeat(150) }, 'request');
  if (i < ${LINES}) return setImmediate(batch);
  delay.disable();
  process.stderr.write(JSON.stringify({ loggedInMs: Date.now() - started, maxLoopDelayMs: delay.max / 1e6 }) + '\\n');
  process.exit(0);
};
batch();
`;

interface ProbeReport {
  loggedInMs: number;
  maxLoopDelayMs: number;
}

describe('log destination', () => {
  it('goes on while nobody reads its output, and delivers every line once the reader is back', async () => {
    const child = spawn(process.execPath, ['-e', probe], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is stalled from the start: nothing is read from the pipe until the probe has logged everything.
    child.stdout.pause();
    let received = '';
    const outputClosed = new Promise((resolve) => child.stdout.once('close', resolve));
    const report = await within(
      new Promise<ProbeReport>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          if (err.includes('\n')) resolve(JSON.parse(err.split('\n')[0]) as ProbeReport);
        });
        child.once('exit', (code) => reject(new Error(`the probe exited with ${code} before reporting: ${err}`)));
      }),
      `the probe logging ${LINES} lines with its output unread`,
      30_000,
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
    child.stdout.resume();
    expect(await within(exited, 'the probe exiting once its output is read', 30_000)).toBe(0);
    await within(outputClosed, 'the end of the probe output', 10_000);

    // A synchronous write to the full pipe would have blocked or slept 100 ms per retry: never done.
    expect(report.loggedInMs).toBeLessThan(20_000);
    expect(report.maxLoopDelayMs).toBeLessThan(1_000);
    const numbers = received
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { i: number }).i);
    expect(numbers).toHaveLength(LINES);
    expect(new Set(numbers).size).toBe(LINES);
  });

  it('writes a lone line of a quiet process without waiting for more lines or the exit', async () => {
    // Lines are written in batches (LOG_BATCH_BYTES); one request's line in an idle API must still reach the reader.
    const quiet = `
const logger = require(${JSON.stringify(LOGGER)}).createLogger('info', 'probe');
logger.info({ route: '/api/v1/claims' }, 'request');
setInterval(() => undefined, 1_000);
`;
    const child = spawn(process.execPath, ['-e', quiet], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await within(
        new Promise<string>((resolve) => {
          let received = '';
          child.stdout.on('data', (chunk: Buffer) => {
            received += chunk.toString();
            if (received.includes('\n')) resolve(received.split('\n')[0]);
          });
        }),
        'the lone line on standard output while the probe keeps running',
        10_000,
      );
      expect(JSON.parse(line)).toMatchObject({ msg: 'request', route: '/api/v1/claims' });
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  });
});

/**
 * Last line of defence of a long-running process (the API and the worker). A request's or a
 * task's own error is already handled where it happens; these handlers cover what escapes:
 * - an unhandled promise rejection is logged and the process goes on: one forgotten `await`
 *   must not take every other request or task down with it;
 * - an uncaught exception leaves the process in an unknown state: it is logged as fatal, the
 *   process stops taking work (`stop`) and exits with code 1 for its supervisor (compose
 *   `restart: unless-stopped`, the start script) to start a fresh one;
 * - the first SIGINT or SIGTERM stops the process gracefully (`stop`: the API finishes its
 *   requests, the worker drains its tasks) and exits with code 0; a second one, from someone who
 *   will not wait, exits at once with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
 */
import os from 'node:os';
import type { Logger } from '../config/logger';

/** Longest wait for a graceful stop after a fatal error before exiting anyway. */
const FATAL_EXIT_AFTER_MS = 10_000;

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function installProcessGuards(logger: Logger, stop: () => Promise<void>): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (process continues)');
  });
  process.once('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: stopping so the supervisor restarts the process');
    setTimeout(() => process.exit(1), FATAL_EXIT_AFTER_MS).unref();
    void stop().finally(() => process.exit(1));
  });
  let stopping = false;
  for (const signal of SHUTDOWN_SIGNALS) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting for the graceful stop');
        process.exit(128 + os.constants.signals[signal]);
      }
      stopping = true;
      logger.info({ signal }, 'stopping gracefully (a second signal exits at once)');
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'graceful stop failed');
          process.exit(1);
        },
      );
    });
  }
}

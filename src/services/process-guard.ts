/**
 * Last line of defence of a long-running process. A request's own error is already a 500 for
 * that request (the error middleware); these handlers cover what escapes every request:
 * - an unhandled promise rejection is logged and the process goes on: one forgotten `await`
 *   must not take every other request down with it;
 * - an uncaught exception leaves the process in an unknown state: it is logged as fatal, the
 *   process stops taking work (`stop`) and exits with code 1 for its supervisor (compose
 *   `restart: unless-stopped`, the start script) to start a fresh one.
 */
import type { Logger } from '../config/logger';

/** Longest wait for a graceful stop after a fatal error before exiting anyway. */
const FATAL_EXIT_AFTER_MS = 10_000;

export function installProcessGuards(logger: Logger, stop: () => Promise<void>): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (process continues)');
  });
  process.once('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: stopping so the supervisor restarts the process');
    setTimeout(() => process.exit(1), FATAL_EXIT_AFTER_MS).unref();
    stop().finally(() => process.exit(1));
  });
}

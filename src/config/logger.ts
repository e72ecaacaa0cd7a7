import pino from 'pino';

/**
 * Standard output is written asynchronously: a synchronous write that finds the pipe full (the
 * log reader behind) makes pino sleep the whole event loop 100 ms before retrying, which was the
 * plan list's tail (docs/performance.md). Lines wait in memory instead and are flushed at exit;
 * past LOG_BUFFER_LIMIT_BYTES (a reader stalled for good) new lines are dropped, not the process.
 */
const LOG_BUFFER_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Lines are written once this many bytes wait, or at the latest every LOG_FLUSH_INTERVAL_MS:
 * written one by one, each line cost the API a write handed to libuv's thread pool and a wake-up
 * when it completed, about a tenth of a list request's CPU under load (docs/performance.md, Lists).
 */
const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 100;

/** One JSON logger for every process; secrets never reach it (see redact paths). Standard output unless a destination is given. */
export function createLogger(level: string, name: string, destination?: pino.DestinationStream): pino.Logger {
  const options = { name, level, redact: ['req.headers.authorization', '*.password', '*.passwordHash', '*.refreshToken', '*.token'] };
  return pino(
    options,
    destination ??
      pino.destination({
        dest: 1,
        sync: false,
        minLength: LOG_BATCH_BYTES,
        periodicFlush: LOG_FLUSH_INTERVAL_MS,
        maxLength: LOG_BUFFER_LIMIT_BYTES,
      }),
  );
}

export type Logger = pino.Logger;

import pino from 'pino';

/** One JSON logger for every process; secrets never reach it (see redact paths). */
export function createLogger(level: string, name: string): pino.Logger {
  return pino({
    name,
    level,
    redact: ['req.headers.authorization', '*.password', '*.passwordHash', '*.refreshToken', '*.token'],
  });
}

export type Logger = pino.Logger;

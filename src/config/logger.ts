import pino from 'pino';

/** One JSON logger for every process; secrets never reach it (see redact paths). Standard output unless a destination is given. */
export function createLogger(level: string, name: string, destination?: pino.DestinationStream): pino.Logger {
  const options = { name, level, redact: ['req.headers.authorization', '*.password', '*.passwordHash', '*.refreshToken', '*.token'] };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = pino.Logger;

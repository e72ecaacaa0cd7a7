import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/config/logger';

/** A real pino logger (the production options) whose JSON lines are kept for the test to read. */
export function capturedLogger(name: string): { logger: Logger; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('info', name, sink), lines: () => raw.map((text) => JSON.parse(text)), raw: () => raw.join('\n') };
}

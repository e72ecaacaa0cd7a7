/**
 * The process-level guards of the API and the worker, as a unit (the worker's, signals included,
 * run as a real process in worker-process-guard.test.ts): what escapes every request is logged, a stray
 * promise rejection leaves the process running, an uncaught exception stops it cleanly with exit
 * code 1 for its supervisor. `process.exit` is replaced so the test runner survives.
 */
import type { Logger } from '../../src/config/logger';
import { installProcessGuards } from '../../src/services/process-guard';

describe('process guards', () => {
  const logged: Array<[level: string, message: string]> = [];
  const logger = {
    error: (_fields: object, message: string) => logged.push(['error', message]),
    fatal: (_fields: object, message: string) => logged.push(['fatal', message]),
  } as unknown as Logger;
  let exit: jest.SpyInstance;
  let stopped = 0;
  const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const listenersBefore = {
    rejection: process.listeners('unhandledRejection'),
    exception: process.listeners('uncaughtException'),
    signals: new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)])),
  };

  beforeAll(() => {
    jest.useFakeTimers();
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    installProcessGuards(logger, async () => {
      stopped += 1;
    });
  });
  afterAll(() => {
    for (const listener of process.listeners('unhandledRejection'))
      if (!listenersBefore.rejection.includes(listener)) process.off('unhandledRejection', listener);
    for (const listener of process.listeners('uncaughtException'))
      if (!listenersBefore.exception.includes(listener)) process.off('uncaughtException', listener);
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal))
        if (!listenersBefore.signals.get(signal)!.includes(listener)) process.off(signal, listener);
    }
    exit.mockRestore();
    jest.useRealTimers();
  });

  it('logs an unhandled rejection and keeps the process running', () => {
    process.emit('unhandledRejection', new Error('forgotten await'), Promise.resolve());
    expect(logged).toEqual([['error', expect.stringContaining('unhandled promise rejection')]]);
    expect(exit).not.toHaveBeenCalled();
  });

  it('logs an uncaught exception as fatal, stops taking work and exits with 1', async () => {
    process.listeners('uncaughtException').at(-1)!(new Error('corrupted state'), 'uncaughtException');
    await Promise.resolve();
    await Promise.resolve();
    expect(logged.at(-1)).toEqual(['fatal', expect.stringContaining('uncaught exception')]);
    expect(stopped).toBe(1);
    expect(exit).toHaveBeenCalledWith(1);
  });
});

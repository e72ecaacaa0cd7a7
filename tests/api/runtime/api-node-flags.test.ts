/**
 * The API's V8 flags are listed once (src/api/runtime/node-flags.ts), the worker's too
 * (worker/heap-budget.ts), for the processes our own code starts, and spelled out where a text file
 * starts them: each of those must run them with the same flags. A worker whose cache cannot fit the
 * heap those flags allow refuses to start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { API_NODE_FLAGS } from '../../../src/api/runtime/node-flags';
import { ConfigError, DEFAULT_MAX_CACHED_WORKFLOWS } from '../../../src/config';
import { assertCacheFitsHeap, heapNeededMiB, WORKER_HEAP_MIB, WORKER_NODE_FLAGS } from '../../../worker/heap-budget';

const ROOT = path.join(__dirname, '..', '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('the API process runs with the same V8 flags wherever it is started', () => {
  const commands = {
    Dockerfile: /^CMD \[(.*)\]$/m.exec(read('Dockerfile'))?.[1],
    'docker-compose.yml (api)': /^ {2}api:\n(?: {4}.*\n)*? {4}command: \[(.*)\]$/m.exec(read('docker-compose.yml'))?.[1],
  };

  it.each(Object.entries(commands))('%s', (_file, command) => {
    expect(JSON.parse(`[${command}]`)).toEqual(['node', ...API_NODE_FLAGS, 'dist/src/api/server.js']);
  });

  it('package.json start:api', () => {
    expect(JSON.parse(read('package.json')).scripts['start:api']).toBe(['node', ...API_NODE_FLAGS, 'dist/src/api/server.js'].join(' '));
  });
});

describe('the worker process runs with the same V8 flags wherever it is started, and its cache fits them', () => {
  it('docker-compose.yml (worker)', () => {
    const command = /^ {2}worker:\n(?: {4}.*\n)*? {4}command: \[(.*)\]$/m.exec(read('docker-compose.yml'))?.[1];
    expect(JSON.parse(`[${command}]`)).toEqual(['node', ...WORKER_NODE_FLAGS, 'dist/worker/index.js']);
  });

  it('package.json start:worker', () => {
    expect(JSON.parse(read('package.json')).scripts['start:worker']).toBe(['node', ...WORKER_NODE_FLAGS, 'dist/worker/index.js'].join(' '));
  });

  it('starts with the default cache under those flags, and refuses a cache its heap cannot hold, saying what to change', () => {
    const MiB = 1024 * 1024;
    expect(heapNeededMiB(DEFAULT_MAX_CACHED_WORKFLOWS)).toBeLessThanOrEqual(WORKER_HEAP_MIB);
    expect(() => assertCacheFitsHeap(DEFAULT_MAX_CACHED_WORKFLOWS, WORKER_HEAP_MIB * MiB)).not.toThrow();
    expect(() => assertCacheFitsHeap(5000, WORKER_HEAP_MIB * MiB)).toThrow(ConfigError);
    expect(() => assertCacheFitsHeap(5000, WORKER_HEAP_MIB * MiB)).toThrow(
      `WORKER_MAX_CACHED_WORKFLOWS=5000 needs about ${heapNeededMiB(5000)} MiB of heap per workflow thread, and this process allows ${WORKER_HEAP_MIB} MiB`,
    );
  });
});

/**
 * The API's V8 flags are listed once (src/api/runtime/node-flags.ts) for the processes our own code starts,
 * and spelled out where a text file starts the API: each of those must run it with the same flags.
 */
import fs from 'node:fs';
import path from 'node:path';
import { API_NODE_FLAGS } from '../../src/api/runtime/node-flags';

const ROOT = path.join(__dirname, '..', '..');
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

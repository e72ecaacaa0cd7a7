/** The Temporal CLI dev server (with its web UI) for the running stack. */
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { waitForPort } from './ports';
import { stopChild, stopOnExit } from './processes';

export interface DevServer {
  address: string;
  uiUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const SEARCH_ATTRIBUTE_TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime' };

export function searchAttributeFlags(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`]);
}

/**
 * The dynamic configuration every dev server of ours gets:
 * - search attributes read from the server's cache, as a production server reads them. The CLI's
 *   dev server re-reads them from its database on every start and upsert that carries one, so that
 *   one created a moment ago is seen (about 20 reads a subscription run); ours are all created as
 *   it starts;
 * - dispatch fair between tenants, as compose's server has it (docker/temporal-dynamicconfig.yaml),
 *   unless `fairness` is false.
 */
export function devServerDynamicConfig(fairness = true): string[] {
  return [
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=false',
    '--dynamic-config-value',
    `matching.enableFairness=${fairness}`,
  ];
}

/**
 * Without dbFile the server keeps its state in memory (benchmarks); with one it survives restarts.
 * `fairness: false` dispatches first in, first out: the benchmark's baseline for fair dispatch.
 */
export async function startTemporalDevServer(options: {
  cliPath: string;
  port: number;
  uiPort: number;
  dbFile?: string;
  fairness?: boolean;
}): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    // SQLite's default rollback journal with full fsync makes every workflow task wait on disk.
    ...(options.dbFile
      ? ['--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal']
      : []),
    '--log-level',
    'warn',
    ...devServerDynamicConfig(options.fairness),
    ...searchAttributeFlags(),
  ];
  const child: ChildProcess = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  stopOnExit(child);
  // Once asked to stop, the server only reports its own system workers losing it (dozens of lines a stop).
  let stopping = false;
  let lastLine = '';
  // Line by line: a chunk often holds several lines, and each should say where it came from.
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      lastLine = line;
      if (!stopping) process.stderr.write(`[temporal] ${line}\n`);
    });
  }
  // On `close`, not `exit`: by then its last words are read, and the error can say why it stopped.
  const exitedEarly = new Promise((_, reject) =>
    child.once('close', (code) => reject(new Error(`temporal dev server exited with ${code}${lastLine && `: ${lastLine}`}`))),
  );
  // Both ports: a server that cannot bind its UI exits after its frontend is already listening.
  await Promise.race([Promise.all([waitForPort(options.port), waitForPort(options.uiPort)]), exitedEarly]);
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    pid: child.pid!,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

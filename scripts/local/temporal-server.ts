/**
 * The real Temporal server (not the CLI's dev server) and its SQL schema tool, as production runs
 * them: built from the Go module proxy into the user-level cache, with the server's PostgreSQL
 * schema files beside them (the admin-tools image keeps them under /etc/temporal/schema).
 * `TEMPORAL_SERVER_HOME` points at an existing copy with the same layout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from './tools';

/** The server version of docker-compose.yml's `temporalio/server` and `temporalio/admin-tools` images. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';

export interface TemporalServerTools {
  server: string;
  sqlTool: string;
  /** Holds postgresql/v12/{temporal,visibility}/versioned, as in the admin-tools image. */
  schemaDir: string;
}

function toolsIn(home: string): TemporalServerTools {
  return { server: path.join(home, 'temporal-server'), sqlTool: path.join(home, 'temporal-sql-tool'), schemaDir: path.join(home, 'schema') };
}

export function resolveTemporalServer(): TemporalServerTools {
  const fromEnv = process.env.TEMPORAL_SERVER_HOME;
  if (fromEnv) return toolsIn(fromEnv);
  const home = path.join(cacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const tools = toolsIn(home);
  if (fs.existsSync(tools.server) && fs.existsSync(tools.sqlTool) && fs.existsSync(tools.schemaDir)) return tools;
  process.stderr.write(`[tools] building Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool from the Go module proxy (first run only, several minutes)\n`);
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  const download = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], { env, encoding: 'utf8' })) as { Dir: string };
  // Built as the main module from its own source, so its go.mod (and any replace in it) applies.
  const source = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-server-src-'));
  try {
    fs.cpSync(download.Dir, source, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', source]);
    const staging = `${home}.partial`;
    fs.rmSync(staging, { recursive: true, force: true });
    const staged = toolsIn(staging);
    const build = (output: string, pkg: string) => execFileSync('go', ['build', '-o', output, pkg], { cwd: source, env, stdio: ['ignore', 'inherit', 'inherit'] });
    build(staged.server, './cmd/server');
    build(staged.sqlTool, './cmd/tools/sql');
    fs.cpSync(path.join(source, 'schema', 'postgresql'), path.join(staged.schemaDir, 'postgresql'), { recursive: true });
    // Complete or absent: a build cut short never looks like a cached copy.
    fs.rmSync(home, { recursive: true, force: true });
    fs.renameSync(staging, home);
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
  return tools;
}

/**
 * The application as the image holds it: the compiled API, worker, workflow bundle and operator
 * commands beside production dependencies only (`npm install --omit=dev` from the lock file), in a
 * directory with no node_modules above it, so nothing of the development tree can be reached.
 * The dependencies are kept in the tools cache per lock file, so a second run reuses them.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../../scripts/local/tools';

const ROOT = path.resolve(__dirname, '../..');
/** What the Dockerfile keeps of dist/: the same list. */
const SHIPPED = [
  'dist/src',
  'dist/worker',
  'dist/workflow-bundle.js',
  'dist/scripts/admin.js',
  'dist/scripts/migrate.js',
  'dist/scripts/backups',
];

function productionDependencies(): string {
  const lock = fs.readFileSync(path.join(ROOT, 'package-lock.json'));
  const digest = crypto
    .createHash('sha256')
    .update(lock)
    .update(fs.readFileSync(path.join(ROOT, 'package.json')))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(cacheDir(), `production-node-modules-${digest}`);
  if (fs.existsSync(path.join(dir, 'node_modules'))) return dir;
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(staging, 'package.json'));
  fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(staging, 'package-lock.json'));
  // `install`, not `ci`: the lock lacks other platforms' optional binaries, which `ci` refuses (scripts/setup.sh).
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'] });
  fs.renameSync(staging, dir);
  return dir;
}

/** Builds the application directory under `workDir` and answers its path. Expects `npm run build` to have run. */
export function productionBuild(workDir: string): string {
  const app = path.join(workDir, 'app');
  fs.mkdirSync(path.join(app, 'dist', 'scripts'), { recursive: true });
  for (const part of SHIPPED) fs.cpSync(path.join(ROOT, part), path.join(app, part), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  fs.symlinkSync(path.join(productionDependencies(), 'node_modules'), path.join(app, 'node_modules'));
  return app;
}

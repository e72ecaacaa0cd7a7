/** The Chromium binary the browser tests drive (Debian package `chromium`, or CHROMIUM_PATH), if the machine has one. */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { RequiredTool } from './required-tool';

export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
    return found && fs.existsSync(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Chromium as the browser tests need it: skipped without it on a developer's machine, a failure in CI. */
export function chromiumTool(): RequiredTool {
  return {
    name: 'Chromium',
    path: chromiumPath(),
    install: 'bash scripts/setup.sh installs the Debian package chromium (as root, with apt-get), or set CHROMIUM_PATH',
  };
}

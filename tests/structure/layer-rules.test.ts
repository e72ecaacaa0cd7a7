/**
 * The import rules of .dependency-cruiser.cjs (`npm run cycles`), each shown to catch its mistake:
 * a small tree laid out like ours, in a temporary directory, makes every mistake once (one file
 * per forbidden import) beside imports the layer table allows, and dependency-cruiser, run with
 * the project's rules, must report exactly the mistakes. A rule removed or loosened leaves its
 * mistake unreported; a rule added without a mistake here fails the last test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** Files of the temporary tree: path → source. Each `bad-*` file makes one mistake. */
const TREE: Record<string, string> = {
  // One module per folder for the others to import.
  ...Object.fromEntries(
    ['shared', 'contracts', 'config', 'observability', 'models', 'services', 'domain', 'access', 'activities', 'workflows', 'api'].map(
      (layer) => [`src/${layer}/target.ts`, 'export const value = 1;\nexport interface Shape { value: number }\n'],
    ),
  ),
  // Mistakes: each imports a layer its row of the table does not name.
  'src/shared/bad-models.ts': "export { value } from '../models/target';\n",
  'src/contracts/bad-models.ts': "export { value } from '../models/target';\n",
  'src/config/bad-services.ts': "export { value } from '../services/target';\n",
  'src/observability/bad-api.ts': "export { value } from '../api/target';\n",
  'src/models/bad-services.ts': "export { value } from '../services/target';\n",
  'src/services/bad-api.ts': "export { value } from '../api/target';\n",
  'src/domain/bad-api.ts': "export { value } from '../api/target';\n",
  // Activities import the domain, so the domain importing an activity would tie the two into one.
  'src/domain/bad-activities.ts': "export { value } from '../activities/target';\n",
  'src/access/bad-api.ts': "export { value } from '../api/target';\n",
  'src/activities/bad-api.ts': "export { value } from '../api/target';\n",
  'src/api/bad-workflows.ts': "export { value } from '../workflows/target';\n",
  'src/workflows/bad-models.ts': "export { value } from '../models/target';\n",
  'src/workflows/bad-models-type.ts': "import type { Shape } from '../models/target';\nexport const shape: Shape = { value: 1 };\n",
  // Of src/access, workflow code loads the verbs alone: the access rules read models.
  'src/workflows/bad-access.ts': "export { value } from '../access/target';\n",
  'src/access/verbs/target.ts': "export const verb = 'act';\n",
  // The verbs themselves stay pure: workflow code loads them.
  'src/access/verbs/bad-models.ts': "export { value } from '../../models/target';\n",
  'worker/bad-api.ts': "export { value } from '../src/api/target';\n",
  // A legal chain (worker → services) that ends in the native hashing bindings.
  'src/services/hashing.ts': "export { hash } from '@node-rs/argon2';\n",
  'worker/bad-hashing.ts': "export { hash } from '../src/services/hashing';\n",
  'src/shared/bad-cycle-a.ts': "import { b } from './bad-cycle-b';\nexport const a = () => b;\n",
  'src/shared/bad-cycle-b.ts': "import { a } from './bad-cycle-a';\nexport const b = () => a;\n",
  // Allowed: what each row of the table names.
  'src/api/ok.ts':
    "export { value } from '../access/target';\nexport { value as model } from '../models/target';\nexport { value as domain } from '../domain/target';\n",
  'src/access/ok.ts': "export { value } from '../models/target';\nexport { value as contract } from '../contracts/target';\n",
  'src/workflows/ok.ts':
    "import type { Shape } from '../activities/target';\nexport { value } from '../contracts/target';\nexport { verb } from '../access/verbs/target';\nexport const shape: Shape = { value: 1 };\n",
  'src/activities/ok.ts':
    "export { value } from '../services/target';\nexport { value as observed } from '../observability/target';\nexport { value as domain } from '../domain/target';\n",
  'src/config/ok.ts': "export { value } from '../shared/target';\n",
  'worker/ok.ts': "export { value } from '../src/activities/target';\n",
};

/** Each mistake, as `rule: from → to`, the way dependency-cruiser reports it. */
const MISTAKES = [
  'layer-shared: src/shared/bad-models.ts → src/models/target.ts',
  'layer-contracts: src/contracts/bad-models.ts → src/models/target.ts',
  'layer-config: src/config/bad-services.ts → src/services/target.ts',
  'layer-observability: src/observability/bad-api.ts → src/api/target.ts',
  'layer-models: src/models/bad-services.ts → src/services/target.ts',
  'layer-services: src/services/bad-api.ts → src/api/target.ts',
  'layer-domain: src/domain/bad-api.ts → src/api/target.ts',
  'layer-domain: src/domain/bad-activities.ts → src/activities/target.ts',
  'layer-access: src/access/bad-api.ts → src/api/target.ts',
  'layer-activities: src/activities/bad-api.ts → src/api/target.ts',
  'layer-api: src/api/bad-workflows.ts → src/workflows/target.ts',
  'layer-workflows: src/workflows/bad-models.ts → src/models/target.ts',
  'layer-workflows-types: src/workflows/bad-models-type.ts → src/models/target.ts',
  'layer-workflows: src/workflows/bad-access.ts → src/access/target.ts',
  'access-verbs-pure: src/access/verbs/bad-models.ts → src/models/target.ts',
  'layer-worker: worker/bad-api.ts → src/api/target.ts',
  'worker-without-password-hashing: worker/bad-hashing.ts → @node-rs/argon2',
  'no-circular: src/shared/bad-cycle-a.ts → src/shared/bad-cycle-b.ts',
];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Where a package resolved to (a path into node_modules), shortened to the package's name. */
function shortened(to: string): string {
  return /node_modules\/(@[^/]+\/[^/]+)/.exec(to)?.[1] ?? to;
}

describe('the import rules of npm run cycles', () => {
  let dir: string;
  let result: ReturnType<typeof spawnSync>;
  const depcruise = (...args: string[]) =>
    spawnSync(path.join(ROOT, 'node_modules', '.bin', 'depcruise'), ['--config', CONFIG, ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-rules-'));
    for (const [file, source] of Object.entries(TREE)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), source);
    }
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true }, include: ['src', 'worker'] }),
    );
    // The hashing mistake needs the real package to resolve.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    result = depcruise('--output-type', 'json', 'src', 'worker');
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports every mistake, and nothing the layer table allows', () => {
    const violations = (JSON.parse(String(result.stdout)) as { summary: { violations: Violation[] } }).summary.violations;
    const reported = violations.map((v) => `${v.rule.name}: ${v.from} → ${shortened(v.to)}`);
    expect([...new Set(reported)].sort()).toEqual([...MISTAKES].sort());
  });

  it('fails the command CI runs on a mistake, and passes the allowed imports', () => {
    expect(depcruise('src', 'worker').status).not.toBe(0);
    const allowed = Object.keys(TREE).filter((file) => file.endsWith('/ok.ts'));
    expect(depcruise(...allowed).status).toBe(0);
  });

  it('has a mistake here for every rule', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the rules are a CommonJS file
    const rules = (require(CONFIG) as { forbidden: Array<{ name: string }> }).forbidden.map((rule) => rule.name);
    const tested = new Set(MISTAKES.map((mistake) => mistake.split(':')[0]));
    expect(rules.filter((rule) => !tested.has(rule))).toEqual([]);
  });
});

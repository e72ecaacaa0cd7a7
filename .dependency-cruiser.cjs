/**
 * Import rules checked by `npm run cycles` (and by scripts/test.sh before the tests):
 * - no module may reach itself through its imports. Type-only imports count too: a cycle through
 *   types still ties two layers together;
 * - each layer of docs/architecture.md (Processes and layers) imports only the layers its row
 *   names. LAYERS below is that table; tests/structure/layer-rules.test.ts makes each mistake once
 *   and checks that its rule catches it.
 */

/** Each folder of src, and the folders of src it may import (besides itself). */
const LAYERS = {
  shared: [],
  contracts: ['shared'],
  config: ['shared'],
  observability: ['config', 'shared'],
  models: ['config', 'contracts', 'shared'],
  services: ['config', 'contracts', 'models', 'observability', 'shared'],
  domain: ['config', 'contracts', 'models', 'access', 'observability', 'services', 'shared'],
  access: ['contracts', 'models', 'shared'],
  activities: ['config', 'contracts', 'domain', 'models', 'observability', 'services', 'shared'],
  api: ['config', 'contracts', 'domain', 'models', 'observability', 'access', 'services', 'shared'],
};

/**
 * Workflow code is bundled and replayed: besides contracts and shared it loads the access verbs (who may do
 * what, by role: pure, no models) and may name the activities' types, never load them.
 */
const WORKFLOW_LAYERS = ['contracts', 'shared', 'access/verbs'];
const WORKFLOW_TYPE_ONLY_LAYERS = [...WORKFLOW_LAYERS, 'activities'];

/** Our own code: a rule's `to` never concerns npm packages or Node's modules. */
const OURS = '^(src|worker|scripts|bench)/';

/** `to` for a module of ours outside src/<layer> and outside the folders of `allowed` (`access/verbs` also names `access/verbs.ts`). */
function outside(layer, allowed) {
  return { path: OURS, pathNot: `^src/(${[layer, ...allowed].join('|')})(/|\\.ts$)` };
}

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  severity: 'error',
  comment: `src/${layer} may import ${allowed.length ? `only src/{${allowed.join(',')}}` : 'no other folder of ours'} (docs/architecture.md, Processes and layers).`,
  from: { path: `^src/${layer}/` },
  to: outside(layer, allowed),
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: break it by moving what both sides need into a module both import (src/contracts, src/shared).',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'layer-workflows',
      severity: 'error',
      comment: 'Workflow code loads only src/contracts, src/shared and src/access/verbs (docs/architecture.md, Processes and layers).',
      from: { path: '^src/workflows/' },
      to: { ...outside('workflows', WORKFLOW_LAYERS), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'layer-workflows-types',
      severity: 'error',
      comment:
        'Workflow code may name the types of src/activities, and nothing else outside src/contracts, src/shared and src/access/verbs.',
      from: { path: '^src/workflows/' },
      to: { ...outside('workflows', WORKFLOW_TYPE_ONLY_LAYERS), dependencyTypes: ['type-only'] },
    },
    {
      name: 'access-verbs-pure',
      severity: 'error',
      comment: 'Workflow code loads the access verbs: they name roles only (src/contracts, src/shared), never the access rules or models.',
      from: { path: '^src/access/verbs(/|\\.ts$)' },
      to: outside('access/verbs', ['contracts', 'shared']),
    },
    {
      name: 'layer-worker',
      severity: 'error',
      comment: 'The worker runs workflows and activities: it does not load the API (docs/architecture.md, Processes and layers).',
      from: { path: '^worker/' },
      to: { path: '^(src/api|scripts|bench)/' },
    },
    {
      name: 'worker-without-password-hashing',
      severity: 'error',
      comment:
        'The worker never hashes a password: loading the native argon2 and bcrypt bindings there (through the configuration, say) only costs memory and start-up time.',
      from: { path: '^worker/' },
      to: { path: '@node-rs/(argon2|bcrypt)', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};

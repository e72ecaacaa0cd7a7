// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const regexp = require('eslint-plugin-regexp');
const prettier = require('eslint-config-prettier');

/** A start by name without the contract's workflow signature would take any input. */
const UNTYPED_START = {
  selector:
    "CallExpression[callee.object.property.name='workflow'][callee.property.name=/^(start|execute|signalWithStart)$/]:not([typeArguments])",
  message: "Start a workflow with its contract's signature: workflow.start<ClaimWorkflow>(claimRun.type, …), so its input is type-checked.",
};

/** The claim's pure rules (src/workflows/claim/), which tests call directly. */
const CLAIM_RULES = ['claim/facts', 'claim/transitions', 'claim/assignment', 'claim/payments', 'claim/reserves', 'claim/arithmetic'];

module.exports = tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'reports/',
      '.data/',
      '.tools/',
      'eslint.config.js',
      '.dependency-cruiser.cjs',
      'jest.config.js',
      'jest.chaos.config.js',
      'jest.topology.config.js',
      'jest.unit.config.js',
      'jest.parallel.config.js',
      'jest.serial.config.js',
      'tests/serial-files.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
    },
  },
  {
    // A forgotten await on an activity, an Update or a query is a silent bug; these rules need types.
    files: ['src/**/*.ts', 'worker/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // A pattern that can backtrack super-linearly lets one request hold the event loop (ReDoS);
    // tests/security/redos.test.ts also times every route pattern on adversarial input.
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    // Workflow code is bundled and replayed: no Node APIs, no clocks, no randomness.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'crypto', 'sequelize', 'nodemailer', '../models*', '../services*', '../api*'],
              allowTypeImports: true,
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Use uuid4() or activities: workflows must be deterministic.',
        },
      ],
    },
  },
  {
    // Contracts are imported by workflow code as well as by everything else: shared modules and the Temporal SDK only.
    files: ['src/contracts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'crypto',
                'sequelize',
                'nodemailer',
                '../models*',
                '../services*',
                '../api*',
                '../activities*',
                '../workflows*',
                '../config*',
              ],
              message:
                'A contract holds types, message definitions and constants that workflow code can load: import only src/shared and @temporalio/*.',
            },
          ],
        },
      ],
    },
  },
  ...workflowBodiesOnlyInWorkflows([
    // Each group of files, with the relative paths that lead from it to src/workflows.
    [['src/*/*.ts'], '..'],
    [['src/*/*/*.ts'], '../..'],
    [['src/*/*/*/*.ts'], '../../..'],
    [['worker/*.ts', 'bench/*.ts', 'scripts/*.ts'], '../src'],
    [['scripts/*/*.ts'], '../../src'],
    // Tests call the claim rules directly: pure functions, not a workflow body.
    [['tests/*.ts'], '../src', CLAIM_RULES],
    [['tests/*/*.ts'], '../../src', CLAIM_RULES],
    [['tests/*/*/*.ts'], '../../../src', CLAIM_RULES],
  ]),
  {
    files: ['src/**/*.ts', 'worker/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/workflows/**'],
    rules: {
      'no-restricted-syntax': ['error', UNTYPED_START],
    },
  },
  {
    // Handler input types come from the schemas (src/shared/typed-schema.ts), not from a double cast.
    files: ['src/api/**/*.ts'],
    rules: {
      // One rule name per file: this block also carries the start check of the block above.
      'no-restricted-syntax': [
        'error',
        UNTYPED_START,
        {
          selector: "TSAsExpression > TSAsExpression.expression[typeAnnotation.type='TSUnknownKeyword']",
          message: 'No `as unknown as` in the API: type the schema or the context instead.',
        },
      ],
    },
  },
  {
    // A route file asks the access policy (src/access), the domain and query modules, never another
    // route file: not a sibling resource's, nor its process folder's (src/api/<process>/routes.ts), nor a
    // sub-resource's (src/api/<process>/<resource>/routes.ts).
    files: ['src/api/*/routes.ts', 'src/api/*/*-routes.ts', 'src/api/*/*/routes.ts', 'src/api/*/*/*-routes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/routes', '**/*-routes'], message: 'Move what both routes need to src/access, src/domain or a query module.' },
          ],
        },
      ],
    },
  },
  // Layout is Prettier's job (.prettierrc.json, checked in CI): no lint rule may disagree with it.
  prettier,
);

/**
 * Outside src/workflows nothing imports a workflow body (not even its types): what the API,
 * models, activities, worker, bench and tests need of a process is in its contract, src/contracts.
 */
function workflowBodiesOnlyInWorkflows(groups) {
  return groups.map(([files, up, allowed = []]) =>
    workflowImportsRefused(files, up.replaceAll('.', '\\.'), allowed.length ? `(?!(${allowed.join('|')})$)` : ''),
  );
}

/** `up` leads from `files` to src (escaped for a regular expression); `except` names the modules still allowed. */
function workflowImportsRefused(files, up, except) {
  return {
    files,
    ignores: ['src/workflows/**', 'src/contracts/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^${up}/workflows(/${except}.*)?$`,
              message: 'Import the process contract (src/contracts/<process>) instead of workflow code.',
            },
          ],
        },
      ],
    },
  };
}

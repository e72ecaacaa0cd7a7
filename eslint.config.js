// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'reports/', '.data/', '.tools/', 'eslint.config.js', 'jest.config.js', 'jest.chaos.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
    },
  },
  {
    // Workflow code is bundled and replayed: no Node APIs, no clocks, no randomness.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'crypto', 'sequelize', 'nodemailer', '../models*', '../services*', '../api*'], allowTypeImports: true }] },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use uuid4() or activities: workflows must be deterministic.' },
      ],
    },
  },
  {
    // Handler input types come from the schemas (src/shared/typed-schema.ts), not from a double cast.
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "TSAsExpression > TSAsExpression.expression[typeAnnotation.type='TSUnknownKeyword']", message: 'No `as unknown as` in the API: type the schema or the context instead.' },
      ],
    },
  },
  {
    // A route file asks the access policy (src/policies), the domain and query modules, never another route file.
    files: ['src/api/*/routes.ts', 'src/api/*/*-routes.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*/routes', '../*/*-routes'], message: 'Move what both routes need to src/policies, src/domain or a query module.' }] }],
    },
  },
);

/**
 * Import rules checked by `npm run cycles` (and by scripts/test.sh before the tests): no module may
 * reach itself through its imports. Type-only imports count too: a cycle through types still ties
 * two layers together.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: break it by moving what both sides need into a module both import (src/contracts, src/shared).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};

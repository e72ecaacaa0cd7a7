/**
 * Tests mirror the code (docs/testing.md, Where a test lives): whoever opens src/domain/<process>
 * finds its tests in tests/<process>, and a layer's tests (tests/api/lists, tests/services/documents)
 * by the layer's own path. The layout is read from the tree when the test runs, so a process
 * folder added to src/domain needs its tests folder the same day. Each rule is shown to catch its
 * mistake in a small tree laid out like ours. The lists of files that run alone or in the unit loop
 * name files by path, and jest skips a named file that is not there without a word: they are
 * checked here too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Folders of suites that run across the processes (or hold the harness), not the tests of one part of src. */
const SUITE_FOLDERS = [
  'bench',
  'chaos',
  'deployment',
  'faults',
  'fixtures',
  'graphql',
  'harness',
  'observability',
  'security',
  'structure',
  'support',
  'topology',
];

/** The files at the top of tests/: the replay gate over every workflow type, and the list of files that run alone. */
const TOP_FILES = ['replay.test.ts', 'serial-files.js'];

function entries(dir: string): fs.Dirent[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => !entry.name.startsWith('.'));
}

function folders(dir: string): string[] {
  return entries(dir)
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

/** Whether a folder holds a test file, at any depth. */
function hasTestFile(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir, { recursive: true }).some((file) => String(file).endsWith('.test.ts'));
}

/** The subfolders of a layer's tests (tests/<part>) that name no folder or module of src/<part>: tests/api/lists for src/api/lists. */
function mirrorProblems(root: string, part: string): string[] {
  return folders(path.join(root, 'tests', part)).flatMap((name) => {
    const mirrored = path.join(root, 'src', part, name);
    if (fs.existsSync(mirrored) && fs.statSync(mirrored).isDirectory()) return mirrorProblems(root, `${part}/${name}`);
    if (fs.existsSync(`${mirrored}.ts`)) return [];
    return [`tests/${part}/${name}/: no src/${part}/${name} folder or module`];
  });
}

/** Everything out of place in a tree laid out like the project's (root/src, root/tests), one line each. */
function layoutProblems(root: string): string[] {
  const src = path.join(root, 'src');
  const tests = path.join(root, 'tests');
  const processes = folders(path.join(src, 'domain'));
  // src/domain's tests are its processes' folders, never a tests/domain.
  const layers = folders(src).filter((layer) => layer !== 'domain');
  const problems: string[] = [];
  for (const entry of entries(tests)) {
    const name = entry.name;
    if (!entry.isDirectory()) {
      if (!TOP_FILES.includes(name)) problems.push(`tests/${name}: a file at the top of tests/`);
    } else if (layers.includes(name) && !SUITE_FOLDERS.includes(name)) {
      problems.push(...mirrorProblems(root, name));
    } else if (!processes.includes(name) && !SUITE_FOLDERS.includes(name)) {
      problems.push(`tests/${name}/: not a process of src/domain, a layer of src or a suite folder`);
    }
  }
  for (const process of processes) {
    if (!hasTestFile(path.join(tests, process))) problems.push(`src/domain/${process}/: no test file in tests/${process}/`);
  }
  return problems;
}

/** A throwaway tree: path → content ('' for a file, a trailing / for an empty folder). */
function tree(files: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'test-layout-'));
  for (const file of files) {
    const full = path.join(root, file);
    if (file.endsWith('/')) {
      fs.mkdirSync(full, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, '');
    }
  }
  return root;
}

describe('where a test lives', () => {
  it('every folder of tests/ is a process of src/domain, a layer of src by its own path, or a suite; every process has tests', () => {
    expect(layoutProblems(ROOT)).toEqual([]);
  });

  it('names each folder out of place and each process without tests, and nothing laid out as agreed', () => {
    const root = tree([
      'src/domain/premiums/commands.ts',
      'src/domain/claims/commands.ts',
      'src/domain/privacy/erasure.ts',
      'src/api/lists/search.ts',
      'src/api/http/route.ts',
      'src/services/documents/s3-store.ts',
      'src/services/passwords.ts',
      'src/models/index.ts',
      // Laid out as agreed.
      'tests/premiums/billing.test.ts',
      'tests/claims/fixtures.ts',
      'tests/claims/claims-api.test.ts',
      'tests/api/lists/search.test.ts',
      'tests/api/http/route.test.ts',
      'tests/services/documents/s3-storage.test.ts',
      'tests/services/passwords/hashing.test.ts',
      'tests/models/prepared-find.test.ts',
      'tests/structure/layers.test.ts',
      'tests/support/stack.ts',
      'tests/replay.test.ts',
      'tests/serial-files.js',
      // Mistakes.
      'tests/payments/stripe.test.ts',
      'tests/domain/commands.test.ts',
      'tests/api/people/pages.test.ts',
      'tests/services/retention/schedule.test.ts',
      'tests/stray.test.ts',
      'tests/privacy/',
    ]);
    try {
      expect(layoutProblems(root).sort()).toEqual(
        [
          'src/domain/privacy/: no test file in tests/privacy/',
          'tests/api/people/: no src/api/people folder or module',
          'tests/domain/: not a process of src/domain, a layer of src or a suite folder',
          'tests/payments/: not a process of src/domain, a layer of src or a suite folder',
          'tests/services/retention/: no src/services/retention folder or module',
          'tests/stray.test.ts: a file at the top of tests/',
        ].sort(),
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the lists of test files the configurations run by name', () => {
  // jest.parallel.config.js leaves out the files of tests/serial-files.js that jest.serial.config.js runs.
  it.each(['jest.serial.config.js', 'jest.unit.config.js'])('%s names only files that exist', (config) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the configurations are CommonJS files
    const { testMatch } = require(path.join(ROOT, config)) as { testMatch: string[] };
    const files = testMatch.map((pattern) => pattern.replace('<rootDir>', ROOT));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((file) => !fs.existsSync(file)).map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});

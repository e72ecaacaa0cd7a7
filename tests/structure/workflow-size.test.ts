/**
 * Each workflow file is its process's state machine, read top to bottom in under 150 lines
 * (issue #75, docs/architecture.md, Workflows): handlers, validators and their rules sit in
 * `src/workflows/<process>/` modules named by what they decide. `src/workflows/index.ts`, the
 * list of the workflows the worker registers, is exempt: it holds no process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const WORKFLOWS = join(__dirname, '../../src/workflows');
const MAX_LINES = 149;
const EXEMPT = ['index.ts'];

const linesOf = (text: string) => text.trimEnd().split('\n').length;

/** Each workflow file over the limit, with its length. */
function oversized(files: Array<{ name: string; text: string }>): string[] {
  return files
    .filter(({ name }) => !EXEMPT.includes(name))
    .filter(({ text }) => linesOf(text) > MAX_LINES)
    .map(({ name, text }) => `src/workflows/${name}: ${linesOf(text)} lines`);
}

describe('workflow files', () => {
  it('are each under 150 lines, their handlers and rules in src/workflows/<process>/', () => {
    const files = readdirSync(WORKFLOWS, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map(({ name }) => ({ name, text: readFileSync(join(WORKFLOWS, name), 'utf8') }));
    expect(files.length).toBeGreaterThan(10);
    expect(oversized(files)).toEqual([]);
  });

  it('counts a file of 150 lines as too long, and exempts only the list of exports', () => {
    const text = (lines: number) => Array.from({ length: lines }, (_, i) => `// line ${i + 1}`).join('\n') + '\n';
    expect(oversized([{ name: 'process.ts', text: text(149) }])).toEqual([]);
    expect(oversized([{ name: 'process.ts', text: text(150) }])).toEqual(['src/workflows/process.ts: 150 lines']);
    expect(oversized([{ name: 'index.ts', text: text(400) }])).toEqual([]);
  });
});

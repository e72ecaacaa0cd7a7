/**
 * docs/architecture.md names every folder of the code, the scripts, the benchmark and the tests on a
 * line of its own (`- \`src/api/quotes/\` — …`), so a newcomer finds where a behaviour lives from the
 * folder names in one hop (issue #75). A folder added without its line fails here.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TOP_FOLDERS = ['src', 'bench', 'scripts', 'tests', 'worker'];

/** Every folder below `folder` (itself included), as paths from the repository's root. */
function foldersBelow(folder: string): string[] {
  const children = fs
    .readdirSync(path.join(ROOT, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => `${folder}/${entry.name}`);
  return [folder, ...children.flatMap(foldersBelow)];
}

/** The folders of `folders` that no line of `document` names as `` - `<folder>/` ``. */
function unnamed(folders: string[], document: string): string[] {
  const named = new Set([...document.matchAll(/^- `([^`]+)\/` —/gm)].map((match) => match[1]));
  return folders.filter((folder) => !named.has(folder));
}

describe('the architecture document', () => {
  it('names every folder of src, bench, scripts, tests and worker on a line of its own', () => {
    const folders = TOP_FOLDERS.flatMap(foldersBelow);
    expect(folders.length).toBeGreaterThan(100);
    expect(unnamed(folders, fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8'))).toEqual([]);
  });

  it('the check finds a folder without its line', () => {
    expect(unnamed(['src/api', 'src/api/quotes'], '- `src/api/` — the API.\n- See `src/api/quotes/` in prose.\n')).toEqual([
      'src/api/quotes',
    ]);
  });
});

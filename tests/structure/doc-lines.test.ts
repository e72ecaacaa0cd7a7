/**
 * No prose line of the documents (docs/*.md, README.md) is over 400 characters: a line that long
 * is a paragraph or a table row no one can read or review as a diff (issue #75). Prose wraps at
 * about 110 characters; a long table becomes a list (docs/configuration.md is generated so, by
 * scripts/config-doc.ts). Lines inside fenced code blocks are commands and output, not prose.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const MAX_PROSE_LINE = 400;

/** Each prose line of `text` over MAX_PROSE_LINE characters, as `<name>:<line number> (<length>)`. */
function longProseLines(name: string, text: string): string[] {
  const found: string[] = [];
  let inCode = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) inCode = !inCode;
    else if (!inCode && [...line].length > MAX_PROSE_LINE) found.push(`${name}:${i + 1} (${[...line].length})`);
  });
  return found;
}

describe('the documents', () => {
  const documents = [
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
    'README.md',
  ];

  it(`have no prose line over ${MAX_PROSE_LINE} characters`, () => {
    expect(documents.length).toBeGreaterThan(20);
    expect(documents.flatMap((name) => longProseLines(name, fs.readFileSync(path.join(ROOT, name), 'utf8')))).toEqual([]);
  });

  it('the check finds a long prose line and leaves a long command in a code block alone', () => {
    const long = 'word '.repeat(81);
    expect(longProseLines('x.md', `# Title\n\n${long}\n\n\`\`\`bash\n${long}\n\`\`\`\n`)).toEqual(['x.md:3 (405)']);
  });
});

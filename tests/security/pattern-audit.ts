/**
 * Finds the slowest input of a family of adversarial strings for a regular expression: every pair
 * of characters that the pattern names (plus a few that commonly break patterns) repeated to the
 * wanted length, each followed by a character that makes the match fail at the very end, which is
 * where a super-linear pattern backtracks the most.
 */
import type Joi from 'joi';

const COMMON = ['a', 'A', 'z', '0', '9', '-', '_', '.', ' ', '@', '/', '+', '(', ')', 'é'];
const ENDINGS = ['!', '\n', '/', ''];

/** Every Joi `pattern()` inside a schema, found through its description (nested keys, items, alternatives). */
export function patternsIn(schema: Joi.Schema): RegExp[] {
  const found: RegExp[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const args = record.args as { regex?: unknown } | undefined;
    if (record.name === 'pattern' && typeof args?.regex === 'string') found.push(toRegExp(args.regex));
    Object.values(record).forEach(visit);
  };
  visit(schema.describe());
  return found;
}

function toRegExp(described: string): RegExp {
  const end = described.lastIndexOf('/');
  return new RegExp(described.slice(1, end), described.slice(end + 1));
}

function alphabetOf(pattern: RegExp): string[] {
  const named = [...pattern.source].filter((c) => c >= ' ' && c <= '~' && c !== '\\');
  return [...new Set([...COMMON, ...named])];
}

/**
 * The longest time, in milliseconds, the pattern took on any input of the family (best of three
 * tries each, so a GC pause is not blamed on it); the search ends early at the first input slower
 * than `enoughMs`.
 */
export function worstCaseMs(pattern: RegExp, length: number, enoughMs = Infinity): { ms: number; input: string } {
  let worst = { ms: 0, input: '' };
  const alphabet = alphabetOf(pattern);
  for (const first of alphabet) {
    for (const second of alphabet) {
      for (const ending of ENDINGS) {
        const input = (first + second).repeat(Math.ceil(length / 2)).slice(0, length - ending.length) + ending;
        let best = Infinity;
        for (let attempt = 0; attempt < 3 && best > 1; attempt++) {
          const started = process.hrtime.bigint();
          pattern.test(input);
          best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
        }
        if (best > worst.ms) worst = { ms: best, input: `${JSON.stringify(first + second)} × ${length / 2} + ${JSON.stringify(ending)}` };
        if (worst.ms > enoughMs) return worst;
      }
    }
  }
  return worst;
}

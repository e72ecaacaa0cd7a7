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

/** One adversarial input: a pair of characters repeated, then an ending that fails the match. */
interface Family {
  pair: string;
  ending: string;
}

const inputOf = ({ pair, ending }: Family, length: number): string =>
  pair.repeat(Math.ceil(length / 2)).slice(0, length - ending.length) + ending;

/**
 * The time the pattern takes on the family's input of `length`, the best of `attempts` (a GC pause
 * is not the pattern's fault; tries stop early below a millisecond).
 */
function timeMs(pattern: RegExp, family: Family, length: number, attempts = 3): number {
  const input = inputOf(family, length);
  let best = Infinity;
  for (let attempt = 0; attempt < attempts && best > 1; attempt++) {
    const started = process.hrtime.bigint();
    pattern.test(input);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

/**
 * The longest time, in milliseconds, the pattern took on any input of the family; the search ends
 * early at the first input slower than `enoughMs`.
 */
export function worstCaseMs(pattern: RegExp, length: number, enoughMs = Infinity): { ms: number; input: string; family: Family } {
  let worst = { ms: 0, input: '', family: { pair: '', ending: '' } };
  const alphabet = alphabetOf(pattern);
  for (const first of alphabet) {
    for (const second of alphabet) {
      for (const ending of ENDINGS) {
        const family = { pair: first + second, ending };
        const ms = timeMs(pattern, family, length);
        if (ms > worst.ms) worst = { ms, input: `${JSON.stringify(family.pair)} × ${length / 2} + ${JSON.stringify(ending)}`, family };
        if (worst.ms > enoughMs) return worst;
      }
    }
  }
  return worst;
}

/**
 * How much longer the pattern's worst input takes at `factor` times the length: about `factor` for
 * a linear pattern, `factor`² for a quadratic one, whatever the machine's speed (one absolute time
 * proves nothing on a faster core). The two lengths are timed in turns and each keeps its best,
 * so a busy moment of the machine slows one try, not the ratio.
 */
export function growth(pattern: RegExp, length: number, factor: number): number {
  const { family } = worstCaseMs(pattern, length, 1);
  let [short, long] = [Infinity, Infinity];
  for (let round = 0; round < 7; round++) {
    short = Math.min(short, timeMs(pattern, family, length, 1));
    long = Math.min(long, timeMs(pattern, family, length * factor, 1));
  }
  return long / short;
}

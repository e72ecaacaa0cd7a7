/**
 * A yardstick and a subject measured side by side in several short rounds of two halves, the
 * yardstick first in one round and the subject first in the next (yardstick, subject, subject,
 * yardstick, …): a change of load on a shared machine falls on both alike, not on one phase.
 */

export type RoundSide = 'yardstick' | 'subject';

/** Each round's two halves in order; an even count so that each side goes first as often. */
export function roundOrder(rounds: number): [RoundSide, RoundSide][] {
  if (!Number.isInteger(rounds) || rounds < 2 || rounds % 2) throw new Error(`rounds must be an even count of at least 2, not ${rounds}`);
  return Array.from({ length: rounds }, (_, round) => (round % 2 ? ['subject', 'yardstick'] : ['yardstick', 'subject']));
}

/** `run` for each half of `rounds` rounds, in `roundOrder`: each round's two results by side. */
export async function inRounds<T>(rounds: number, run: (side: RoundSide) => Promise<T>): Promise<Record<RoundSide, T>[]> {
  const results: Record<RoundSide, T>[] = [];
  for (const [first, second] of roundOrder(rounds)) {
    const firstResult = await run(first);
    const secondResult = await run(second);
    results.push({ [first]: firstResult, [second]: secondResult } as Record<RoundSide, T>);
  }
  return results;
}

/** One side's results over all rounds, in order. */
export const sideOf = <T>(rounds: Record<RoundSide, T>[], side: RoundSide): T[] => rounds.map((round) => round[side]);

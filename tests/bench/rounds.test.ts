import { inRounds, roundOrder, sideOf } from '../../bench/rounds';

describe('rounds of alternating halves in npm run bench', () => {
  it('runs the yardstick first in one round and the subject first in the next, so each goes first as often', () => {
    expect(roundOrder(4)).toEqual([
      ['yardstick', 'subject'],
      ['subject', 'yardstick'],
      ['yardstick', 'subject'],
      ['subject', 'yardstick'],
    ]);
    for (const rounds of [0, 1, 3, 2.5]) expect(() => roundOrder(rounds)).toThrow(/even count/);
  });

  it('answers each round by side, in the order the halves ran, and a side over all rounds', async () => {
    const ran: string[] = [];
    const rounds = await inRounds(2, async (side) => {
      ran.push(side);
      return `${side} ${ran.length}`;
    });
    expect(ran).toEqual(['yardstick', 'subject', 'subject', 'yardstick']);
    expect(rounds).toEqual([
      { yardstick: 'yardstick 1', subject: 'subject 2' },
      { subject: 'subject 3', yardstick: 'yardstick 4' },
    ]);
    expect(sideOf(rounds, 'subject')).toEqual(['subject 2', 'subject 3']);
  });
});

/**
 * The block fixture the test stack and the test database are declared with (tests/support/block.ts): what a
 * block's tests read is the value its beforeAll started, field by field and spread alike; reading it while the
 * block is declared is refused with what it is; it is stopped before the block's own later afterAll runs.
 */
import { ofBlock } from '../support/block';

interface Counter {
  count: number;
  label: string;
  next(): number;
}

/** What happened, in order, across the blocks below. */
const events: string[] = [];

describe('a value of the block', () => {
  const declared = ofBlock<Counter>(
    'counter',
    async () => {
      events.push('started');
      const counter: Counter = {
        count: 1,
        label: 'first',
        next() {
          this.count += 1;
          return this.count;
        },
      };
      return counter;
    },
    async (counter) => {
      events.push(`stopped at ${counter.count}`);
    },
  );
  let readWhileDeclared: unknown;
  try {
    readWhileDeclared = declared.count;
  } catch (err) {
    readWhileDeclared = err;
  }
  afterAll(() => {
    events.push('block afterAll');
  });

  it('refuses a read while the block is declared, naming what was read before it was started', () => {
    expect(readWhileDeclared).toEqual(new Error("the block's counter is read before its beforeAll started it"));
  });

  it('reads the started value: its fields, its methods on it, `in`, and a spread', () => {
    expect([declared.count, declared.label]).toEqual([1, 'first']);
    expect(declared.next()).toBe(2);
    expect(declared.count).toBe(2);
    expect('label' in declared).toBe(true);
    expect({ ...declared, next: undefined }).toEqual({ count: 2, label: 'first', next: undefined });
  });
});

describe('after the block', () => {
  it('stopped the value it started, before the afterAll the block declared after it', () => {
    expect(events).toEqual(['started', 'stopped at 2', 'block afterAll']);
  });
});

/**
 * Known books for the tests that read them (docs/ledger.md): bare entries posted with post()
 * (src/domain/ledger/post.ts), each in its own transaction as a movement's recording would, without
 * the row it stands for.
 */
import crypto from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { SourceType } from '../../src/domain/ledger/accounts';
import { debitCredit, post, sourceOf, type JournalLine } from '../../src/domain/ledger/post';
import type { Subscription } from '../../src/models';

/** Whose books an entry is in: a policy's (its plan and policy type group it), or the tenant's alone. */
export type EntryBook = Pick<Subscription, 'id' | 'tenantId'> | { tenantId: string; id?: never };

/** Premium written or returned (Dr receivable, Cr unearned), earned (Dr unearned, Cr earned). */
export const written = (minor: number): JournalLine[] => debitCredit('premium_receivable', 'unearned_premium', minor);
export const earned = (minor: number): JournalLine[] => debitCredit('unearned_premium', 'earned_premium', minor);

/**
 * `posted(book, sourceType, postedOn, currency, lines)` posts one entry of a source of its own;
 * `sequelizeOf` is read at each posting (the database is made in a `beforeAll`).
 */
export function bareEntries(sequelizeOf: () => Sequelize) {
  return async function posted(book: EntryBook, sourceType: SourceType, postedOn: string, currency: string, lines: JournalLine[]) {
    const sequelize = sequelizeOf();
    const source = sourceOf(sourceType, crypto.randomUUID(), 'test');
    const entry = {
      tenantId: book.tenantId,
      ...source,
      description: `${sourceType} on ${postedOn}`,
      postedOn,
      currency,
      subscriptionId: book.id ?? null,
      lines,
    };
    // A fresh source is never posted twice: false here would be a posting lost.
    if (!(await sequelize.transaction((transaction) => post(sequelize, entry, transaction))))
      throw new Error(`${source.sourceKey} was not posted`);
  };
}

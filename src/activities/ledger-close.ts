/**
 * Activities of a month's close (docs/ledger.md, Closing a month): the month's earned premium
 * posted page after page, then the period locked.
 *
 * Each page of policies is one statement committing on its own (src/domain/ledger/earnings.ts);
 * where the pages have got to travels in the heartbeat, so a retried attempt goes on from the page
 * after the last one committed (a page posted twice writes nothing the second time). Between pages
 * the activity stops when it is cancelled: every page before has committed.
 */
import { Context } from '@temporalio/activity';
import { EARNINGS_PAGE_SIZE, type EarningsPosted, type LedgerCloseInput } from '../contracts/ledger-close';
import { postEarningsPage } from '../domain/ledger/earnings';
import { lockClosingPeriod } from '../domain/ledger/periods';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';

/** Where the pages have got to: the last policy of the last page committed, and the counts so far. */
interface EarningsProgress extends EarningsPosted {
  after: string | null;
}

export function createLedgerCloseActivities({ sequelize }: Pick<ActivityDeps, 'sequelize'>) {
  return {
    async postLedgerEarnings(input: LedgerCloseInput): Promise<EarningsPosted> {
      const context = Context.current();
      let progress: EarningsProgress = context.info.heartbeatDetails ?? { after: null, policies: 0, entries: 0 };
      for (;;) {
        const page = await postEarningsPage(sequelize, { ...input, after: progress.after, pageSize: EARNINGS_PAGE_SIZE });
        progress = { after: page.next, policies: progress.policies + page.policies, entries: progress.entries + page.entries };
        context.heartbeat(progress);
        if (!page.next) return { policies: progress.policies, entries: progress.entries };
        context.cancellationSignal.throwIfAborted();
      }
    },

    /** The period `closed` with its trial balance; false when an earlier attempt locked it. */
    lockLedgerPeriod(input: LedgerCloseInput): Promise<boolean> {
      return lockClosingPeriod(sequelize, input, workflowAuditSource(input.closedById));
    },
  };
}

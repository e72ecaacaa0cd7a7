/**
 * The months of the books (docs/ledger.md, Closing a month): close one that has ended (its run
 * posts the earned premium, then locks it), reopen a closed one, and read them. Every period is
 * the caller's tenant's: another tenant's is never seen (404).
 */
import { closeLedgerPeriod, ledgerPeriodOf, ledgerPeriods, reopenLedgerPeriod } from '../../domain/ledger/periods';
import { acceptedRoute, actionRoute } from '../http/write-route';
import { operation } from '../http/operation';
import { type RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { pageOf, pageSchema } from '../lists/pagination';
import { ledgerPeriodSchema, listPeriodsQuery, monthParams, reopenPeriodBody } from './periods-schemas';

export function ledgerPeriodRoutes(): RouteSpec[] {
  return tagged('ledger', [
    readRoute({
      path: '/ledger/periods',
      summary: 'The months closed, closing or reopened, latest first (filter by status)',
      verb: 'viewLedger',
      query: listPeriodsQuery,
      schema: pageSchema(ledgerPeriodSchema),
      read: async (ctx) => {
        const { page, pageSize, status } = ctx.state.input.query;
        // One row beyond the page tells whether another follows.
        const window = { limit: pageSize + 1, offset: (page - 1) * pageSize, status };
        const { rows, total } = await ledgerPeriods(ctx.state.user, window, ctx.services);
        return pageOf({ page, pageSize }, rows, { total, exact: true });
      },
    }),
    readRoute({
      path: '/ledger/periods/:month',
      summary:
        'One month of the books: its status, who closed or reopened it and why, and its trial balance at the close (404 if never closed)',
      verb: 'viewLedger',
      params: monthParams,
      schema: ledgerPeriodSchema,
      read: (ctx) => ledgerPeriodOf(ctx.state.user, ctx.state.input.params.month, ctx.services),
    }),
    acceptedRoute(operation({ name: 'ledger.closePeriod', verb: 'closeLedgerPeriod', params: monthParams, run: closeLedgerPeriod }), {
      path: '/ledger/periods/:month/close',
      summary:
        'Close a month that has ended (422 before; 409 once closed, or while an earlier month since the first entry is not closed): the period is closing while its run ledger-close-<tenantId>-<YYYY-MM> posts the premium earned in it, then closed with its trial balance; nothing dated in it is accepted afterwards (409)',
      schema: ledgerPeriodSchema,
      description: 'Closing; GET /ledger/periods/:month shows when it is closed',
    }),
    actionRoute(
      operation({
        name: 'ledger.reopenPeriod',
        verb: 'reopenLedgerPeriod',
        params: monthParams,
        body: reopenPeriodBody,
        run: reopenLedgerPeriod,
      }),
      {
        path: '/ledger/periods/:month/reopen',
        summary:
          'Reopen a closed month, with the reason (audited; 409 unless closed, 404 if never closed): postings dated in it are accepted again, and it may be closed again',
        schema: ledgerPeriodSchema,
      },
    ),
  ]);
}

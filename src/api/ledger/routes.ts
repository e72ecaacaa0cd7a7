/**
 * Reading the books (docs/ledger.md, Reading the books): the trial balance, the chart with its
 * balances, an account's lines and the journal's entries, as JSON or the journal as a CSV
 * download. Finance and tenant admins (`viewLedger`); every statement is of the caller's tenant.
 */
import { tenantOf } from '../../access/core';
import { ACCOUNT_CODES, type AccountCode } from '../../domain/ledger/accounts';
import { accountLinesPage, entriesPage, journalLines, JOURNAL_CSV_COLUMNS, type Counted, type Window } from '../../domain/ledger/reads';
import { chartBalances, trialBalance, trialBalanceView } from '../../domain/ledger/trial-balance';
import { notFound } from '../../shared/errors';
import { sendCsv, wantsCsv } from '../http/csv';
import { route, type RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { LIST_TOTAL_CAP, totalOf } from '../lists/capped-count';
import { pageOf, type PageQuery } from '../lists/pagination';
import {
  accountEntriesQuery,
  accountLinesPageSchema,
  accountParams,
  chartSchema,
  entriesPageSchema,
  entriesQuery,
  trialBalanceQuery,
  trialBalanceSchema,
} from './schemas';
import { utcDay } from '../../shared/time';

/** The rows a page reads: one beyond its size (so `hasMore` is exact), the count up to the lists' cap. */
const windowOf = (query: PageQuery): Window => ({
  limit: query.pageSize + 1,
  offset: (query.page - 1) * query.pageSize,
  countLimit: LIST_TOTAL_CAP + 1,
});

const pageFrom = <T>(query: PageQuery, { rows, counted }: Counted<T>) => pageOf(query, rows, totalOf(counted, LIST_TOTAL_CAP));

export function ledgerRoutes(): RouteSpec[] {
  return tagged('ledger', [
    readRoute({
      path: '/ledger/trial-balance',
      summary:
        "The trial balance as of a day (included, today by default): each chart account's debits, credits and balance in each currency the tenant has lines in, and per currency the totals, whose debits equal their credits",
      verb: 'viewLedger',
      query: trialBalanceQuery,
      schema: trialBalanceSchema,
      read: async (ctx) => {
        const { asOf, currency } = ctx.state.input.query;
        return trialBalanceView(await trialBalance(ctx.services.sequelize, tenantOf(ctx.state.user), asOf, { currency }));
      },
    }),
    readRoute({
      path: '/ledger/accounts',
      summary:
        'The chart of accounts, each with its debits, credits and balance to date in every currency the tenant has lines in (zero ones too)',
      verb: 'viewLedger',
      schema: chartSchema,
      read: async (ctx) => ({ accounts: await chartBalances(ctx.services.sequelize, tenantOf(ctx.state.user)) }),
    }),
    readRoute({
      path: '/ledger/accounts/:code/entries',
      summary:
        "One account's lines, by the day posted then as written, each with its entry and the account's running balance in the line's currency; 404 for a code not in the chart",
      verb: 'viewLedger',
      params: accountParams,
      query: accountEntriesQuery,
      schema: accountLinesPageSchema,
      read: async (ctx) => {
        const { code } = ctx.state.input.params;
        if (!ACCOUNT_CODES.includes(code as AccountCode)) throw notFound('Account');
        const { page, pageSize, ...filter } = ctx.state.input.query;
        const query = { page, pageSize };
        const lines = await accountLinesPage(
          ctx.services.sequelize,
          tenantOf(ctx.state.user),
          code as AccountCode,
          filter,
          windowOf(query),
        );
        return pageFrom(query, lines);
      },
    }),
    route({
      method: 'get',
      path: '/ledger/entries',
      summary:
        "The journal's entries with their lines, by the day posted (ordering=-postedOn: latest first); with Accept: text/csv or ?format=csv every line of the range as a download, earliest first (no paging), streamed",
      verb: 'viewLedger',
      query: entriesQuery,
      response: { status: 200, schema: entriesPageSchema, alsoCsv: true },
      handler: async (ctx) => {
        const { page, pageSize, ordering, format, ...filter } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, format)) {
          const fileName = `journal-${filter.from ?? 'start'}-to-${filter.to ?? utcDay(Date.now())}.csv`;
          return sendCsv(ctx, journalLines(sequelize, tenantId, filter), JOURNAL_CSV_COLUMNS, fileName);
        }
        const query = { page, pageSize };
        ctx.body = pageFrom(query, await entriesPage(sequelize, tenantId, filter, windowOf(query), ordering === '-postedOn'));
      },
    }),
  ]);
}

/**
 * The books (docs/ledger.md, Reading the books): the trial balance and the chart with its balances,
 * as GET /ledger/trial-balance and GET /ledger/accounts, with their verb (viewLedger) and query
 * schema, read by the same domain functions. Amounts are decimal strings in their currency.
 */
import { tenantOf } from '../../../access/core';
import { chartBalances, trialBalance, trialBalanceView } from '../../../domain/ledger/trial-balance';
import { utcDay } from '../../../shared/time';
import { trialBalanceQuery } from '../../ledger/schemas';
import { costOf, STATEMENT_COST } from '../bounds';
import { builder } from '../builder';
import type { FieldsOf } from '../fields';
import { callerOf } from '../context';
import { validInput } from '../input';

type TrialBalanceView = ReturnType<typeof trialBalanceView>;
type ChartAccount = Awaited<ReturnType<typeof chartBalances>>[number];

/** A chart account as the chart names it. (Resolved, not exposed: `expose` takes no generic row.) */
const accountFields = <Row extends { code: string; name: string; kind: string }>(t: FieldsOf<Row>) => ({
  code: t.string({ resolve: (row) => row.code }),
  name: t.string({ resolve: (row) => row.name }),
  kind: t.string({ resolve: (row) => row.kind }),
});

/** Debits and credits summed in one currency, decimal strings in it. */
const totalsFields = <Row extends { currency: string; debit: string; credit: string }>(t: FieldsOf<Row>) => ({
  currency: t.string({ resolve: (row) => row.currency }),
  debit: t.string({ resolve: (row) => row.debit }),
  credit: t.string({ resolve: (row) => row.credit }),
});

const LedgerAccountTotals = builder.objectRef<TrialBalanceView['accounts'][number]>('LedgerAccountTotals').implement({
  description: "A chart account's debits, credits and balance (on its normal side) in one currency",
  fields: (t) => ({ ...accountFields(t), ...totalsFields(t), balance: t.exposeString('balance') }),
});

const LedgerCurrencyTotals = builder.objectRef<TrialBalanceView['totals'][number]>('LedgerCurrencyTotals').implement({
  description: 'Every account of one currency summed: debits equal credits',
  fields: (t) => ({ ...totalsFields(t), balanced: t.exposeBoolean('balanced') }),
});

const LedgerTrialBalance = builder.objectRef<TrialBalanceView>('LedgerTrialBalance').implement({
  description: 'The trial balance as of a day, as GET /ledger/trial-balance',
  fields: (t) => ({
    asOf: t.exposeString('asOf'),
    balanced: t.exposeBoolean('balanced'),
    accounts: t.field({ type: [LedgerAccountTotals], resolve: (balance) => balance.accounts }),
    totals: t.field({ type: [LedgerCurrencyTotals], resolve: (balance) => balance.totals }),
  }),
});

const LedgerBalance = builder.objectRef<ChartAccount['balances'][number]>('LedgerBalance').implement({
  description: "An account's debits, credits and balance to date in one currency",
  fields: (t) => ({ ...totalsFields(t), balance: t.exposeString('balance') }),
});

const LedgerAccount = builder.objectRef<ChartAccount>('LedgerAccount').implement({
  description: 'A chart account, with its balances in every currency the tenant has lines in, as GET /ledger/accounts',
  fields: (t) => ({
    ...accountFields(t),
    normalSide: t.exposeString('normalSide'),
    balances: t.field({ type: [LedgerBalance], resolve: (account) => account.balances }),
  }),
});

/** One aggregate over the tenant's lines, whatever is selected. */
const ONE_STATEMENT = costOf({ own: STATEMENT_COST });

builder.queryFields((t) => ({
  ledgerTrialBalance: t.field({
    type: LedgerTrialBalance,
    description:
      'The trial balance as of `asOf` (YYYY-MM-DD, included; today, UTC, by default), optionally of one currency (finance, tenant admins)',
    args: { asOf: t.arg.string(), currency: t.arg.string() },
    extensions: ONE_STATEMENT,
    resolve: async (_root, args, context) => {
      const caller = callerOf(context, 'viewLedger');
      const { asOf = utcDay(context.now), currency } = validInput(trialBalanceQuery, args);
      return trialBalanceView(await trialBalance(context.services.sequelize, tenantOf(caller), asOf, { currency }));
    },
  }),
  ledgerAccounts: t.field({
    type: [LedgerAccount],
    description: 'The chart of accounts with their balances to date (finance, tenant admins)',
    extensions: ONE_STATEMENT,
    resolve: (_root, _args, context) => chartBalances(context.services.sequelize, tenantOf(callerOf(context, 'viewLedger'))),
  }),
}));

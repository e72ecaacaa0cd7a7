/**
 * GraphQL's premiums report reads one clock, the app's, read once for the request (the context's `now`), as
 * GET /reports/premiums reads one for its answer (docs/reports.md): its period, what is overdue in its figures
 * and the invoices overdue now are all of the same UTC day, on real PostgreSQL. The schema the API serves is run
 * as of 23:59:30 UTC of a day years away, as a request a second before midnight would be: the invoices count as
 * overdue from that day, not from the process's today.
 */
import { execute, parse } from 'graphql';
import { graphQLContext, type GraphQLContext } from '../../src/api/graphql/context';
import { schema } from '../../src/api/graphql/schema';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { buildCaller, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const PREMIUMS_REPORT = parse(`
  {
    premiumsReport {
      period {
        from
        to
      }
      totals {
        currency
        billed
        outstanding
        overdue
      }
      overdueNow {
        count
        items {
          dueDate
          daysOverdue
          owed
        }
      }
    }
  }
`);

describe('the GraphQL premiums report reads the app clock only', () => {
  const stack = testStackOfBlock();
  let context: GraphQLContext;
  /** A second before midnight (UTC) of a day well after the process's today. */
  const now = new Date('2031-03-10T23:59:30Z');

  beforeAll(async () => {
    const tenant = await buildTenant();
    // 10.00 a month, due on the 10th from January 2031 on, none paid.
    const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const subscription = await buildSubscription({
      planId: plan.id,
      policyholderId: holder.id,
      startDate: '2031-01-10',
      endDate: '2032-01-10',
    });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const manager = await buildCaller({ tenantId: tenant.id, role: 'claims_manager' });
    context = graphQLContext(stack.services, manager, 'premiums-report-clock', { clientAddress: null, userAgent: null }, now);
  });

  it('counts as overdue, in the figures and the list, what is past due on the day its period ends', async () => {
    const answer = await execute({ schema, document: PREMIUMS_REPORT, contextValue: context });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      premiumsReport: {
        // The last 30 days to that day: the instalments due on 10 February and on 10 March, that day.
        period: { from: '2031-02-09', to: '2031-03-10' },
        // February's is overdue; March's falls due that day, not yet overdue.
        totals: [{ currency: 'EUR', billed: '20.00', outstanding: '20.00', overdue: '10.00' }],
        // January's and February's, whatever the period, the longest overdue first.
        overdueNow: {
          count: 2,
          items: [
            { dueDate: '2031-01-10', daysOverdue: 59, owed: '10.00' },
            { dueDate: '2031-02-10', daysOverdue: 28, owed: '10.00' },
          ],
        },
      },
    });
  });
});

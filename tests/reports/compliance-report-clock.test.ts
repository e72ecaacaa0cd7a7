/**
 * GraphQL's compliance report, a requirement's progress and the trial balance read one clock, the app's, read
 * once for the request (the context's `now`), as the premiums and policies reports do (docs/reports.md), on real
 * PostgreSQL. The schema the API serves is run as of a moment years away: a requirement due a few seconds before
 * it is breached as of that moment (on track by the process's own clock, its due date years ahead), and the
 * trial balance of no given day is of that moment's day.
 */
import { execute, parse } from 'graphql';
import { graphQLContext, type GraphQLContext } from '../../src/api/graphql/context';
import { schema } from '../../src/api/graphql/schema';
import { ComplianceRequirement } from '../../src/models';
import { buildCaller, buildTenant } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('GraphQL reads of a moment read the app clock only', () => {
  const stack = testStackOfBlock();
  let context: GraphQLContext;
  let requirementId: string;
  /** A second before midnight (UTC) of a day well after the process's today. */
  const now = new Date('2031-03-10T23:59:30Z');

  beforeAll(async () => {
    const tenant = await buildTenant();
    const admin = await buildCaller({ tenantId: tenant.id, role: 'tenant_admin' });
    // Due 20 seconds before that moment, with no policy published: breached then, on track years before.
    const requirement = await ComplianceRequirement.create({
      tenantId: tenant.id,
      title: 'Conduct rules',
      frameworkRef: 'FCA COCON 2.1',
      ownerId: admin.id,
      dueAt: new Date('2031-03-10T23:59:10Z'),
      createdById: admin.id,
    });
    requirementId = requirement.id;
    context = graphQLContext(stack.services, admin, 'compliance-report-clock', { clientAddress: null, userAgent: null }, now);
  });

  const run = async (query: string, variables?: Record<string, unknown>) => {
    const answer = await execute({ schema, document: parse(query), contextValue: context, variableValues: variables });
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };

  it('answers the compliance report as of that moment, the requirement breached', async () => {
    expect(await run('{ complianceReport { asOf requirements { title status complete } } }')).toEqual({
      complianceReport: { asOf: now.toISOString(), requirements: [{ title: 'Conduct rules', status: 'breached', complete: false }] },
    });
  });

  it("counts a requirement's progress as of that moment", async () => {
    expect(await run('query ($id: ID!) { complianceRequirement(id: $id) { status } }', { id: requirementId })).toEqual({
      complianceRequirement: { status: 'breached' },
    });
  });

  it("takes that moment's day as the trial balance's day when none is given", async () => {
    expect(await run('{ ledgerTrialBalance { asOf } }')).toEqual({ ledgerTrialBalance: { asOf: '2031-03-10' } });
  });
});

/**
 * GraphQL's `auditEvents` against the real API and PostgreSQL: the filters, ordering and roles of
 * GET /audit-events, paging by cursor in that order, another tenant's events absent.
 */
import crypto from 'node:crypto';
import { AuditEvent, type User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

interface EventPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string; action: string; entityId: string; actorId: string | null; changes: string }[];
}

const EVENTS = `query Events($first: Int, $after: String, $entityType: String, $action: String, $from: String, $to: String,
  $ordering: String) {
  auditEvents(first: $first, after: $after, entityType: $entityType, action: $action, from: $from, to: $to, ordering: $ordering) {
    pageInfo { hasNextPage endCursor }
    nodes { id action entityId actorId changes }
  }
}`;

/** A day long past, so that no event the test run writes by itself falls into it. */
const DAY = { from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z' };

describe('GraphQL auditEvents (real API and PostgreSQL)', () => {
  const stack = testStackOfBlock();
  let admin: User;
  let officer: User;
  let holder: User;
  let otherAdmin: User;
  /** The tenant's events of that day, in time order: two plan updates, then a claim transition. */
  let events: AuditEvent[];

  beforeAll(async () => {
    const tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    otherAdmin = await buildUser({ role: 'tenant_admin' });
    const event = (tenantId: string, minute: number, action: string, entityType: string) =>
      AuditEvent.create({
        tenantId,
        occurredAt: new Date(Date.parse(DAY.from) + minute * 60_000),
        actorType: 'user',
        actorId: admin.id,
        action,
        entityType,
        entityId: crypto.randomUUID(),
        changes: { premium: { before: '400.00', after: `${400 + minute}.00` } },
      });
    events = [
      await event(tenant.id, 1, 'plan.update', 'plan'),
      await event(tenant.id, 2, 'plan.update', 'plan'),
      await event(tenant.id, 3, 'claim.transition', 'claim'),
    ];
    await event(otherAdmin.tenantId!, 2, 'plan.update', 'plan');
  });

  async function graphql(variables: Record<string, unknown>, as: User): Promise<GraphQLAnswer> {
    const res = await stack.api
      .post('/api/graphql')
      .set('Accept', 'application/graphql-response+json')
      .set('Authorization', bearer(stack.config, as))
      .send({ query: EVENTS, variables });
    return JSON.parse(res.text) as GraphQLAnswer;
  }

  async function page(variables: Record<string, unknown>, as: User): Promise<EventPage> {
    const answer = await graphql(variables, as);
    expect(answer.errors).toBeUndefined();
    return answer.data!.auditEvents as EventPage;
  }

  const ids = (rows: { id: string }[]) => rows.map((row) => String(row.id));

  it("answers the tenant's events of the period in time order, with their changes, without another tenant's", async () => {
    const day = await page(DAY, admin);
    expect(ids(day.nodes)).toEqual(ids(events));
    expect(JSON.parse(day.nodes[0].changes)).toEqual({ premium: { before: '400.00', after: '401.00' } });
    expect(day.nodes[0].actorId).toBe(admin.id);
  });

  it('filters by entity type, action and time as REST does', async () => {
    expect(ids((await page({ ...DAY, entityType: 'plan' }, officer)).nodes)).toEqual(ids(events.slice(0, 2)));
    expect(ids((await page({ ...DAY, action: 'claim.transition' }, officer)).nodes)).toEqual([String(events[2].id)]);
    const late = await page({ from: '2020-01-01T00:02:00.000Z', to: DAY.to }, officer);
    expect(ids(late.nodes)).toEqual(ids(events.slice(1)));
  });

  it('pages on by cursor newest first when asked to', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const next: EventPage = await page({ ...DAY, first: 1, after, ordering: '-occurredAt' }, admin);
      seen.push(...ids(next.nodes));
      after = next.pageInfo.hasNextPage ? next.pageInfo.endCursor : null;
      pages += 1;
    } while (after && pages < 5);
    expect(seen).toEqual(ids(events).reverse());
  });

  it('refuses the roles REST refuses, and bad filters', async () => {
    const refused = await graphql(DAY, holder);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    for (const variables of [{ from: 'yesterday' }, { from: DAY.to, to: DAY.from }, { entityType: 'Plan; DROP' }, { ordering: 'action' }]) {
      const answer = await graphql(variables, admin);
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });

  it('refuses a forged cursor whose id is past what an event id can be as any forged cursor, not as an amount too large', async () => {
    const [, occurredAt] = JSON.parse(Buffer.from((await page({ ...DAY, first: 1 }, admin)).pageInfo.endCursor!, 'base64url').toString());
    // 19 digits, as an event id may have, but past PostgreSQL's BIGINT (9223372036854775807).
    const forged = Buffer.from(JSON.stringify(['occurredAt', occurredAt, '9223372036854775808'])).toString('base64url');
    const answer = await graphql({ ...DAY, after: forged }, admin);
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]).toMatchObject({
      message: '`after` is not a cursor this API gave',
      extensions: { code: 'BAD_USER_INPUT', reason: 'bad_request', details: [{ field: 'after', message: 'invalid cursor' }] },
    });
  });

  it("shows another tenant's admin only their own tenant's events", async () => {
    const theirs = await page(DAY, otherAdmin);
    expect(theirs.nodes).toHaveLength(1);
    expect(ids(theirs.nodes)).not.toContain(String(events[1].id));
  });
});

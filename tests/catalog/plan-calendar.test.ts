/**
 * A plan's business calendar through the real API and PostgreSQL (docs/calendars.md, A plan's
 * calendar): a tenant admin sets one of the tenant's calendars on a plan, audited and shown by
 * GET /plans/:id, the list and GraphQL; another tenant's or a missing calendar is 422 on
 * `calendarId` and changes nothing; null clears it; a value that is not a UUID is 400. A calendar
 * a plan names is not deleted.
 */
import { randomUUID } from 'node:crypto';
import { AuditEvent, BusinessCalendar, Plan, Tenant, User } from '../../src/models';
import { bearer, buildCategory, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

interface GraphQLAnswer {
  data?: { plan: { id: string; calendarId: string | null } | null } | null;
  errors?: { message: string }[];
}

const PLAN = 'query($id: ID!) { plan(id: $id) { id calendarId } }';

describe('a plan names a business calendar: /plans and GraphQL', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;
  let holder: User;
  let otherAdmin: User;
  let categoryId: string;

  beforeAll(async () => {
    tenant = await buildTenant({ name: 'Jurisdiction Mutual' });
    const other = await buildTenant({ name: 'Other Jurisdiction Mutual' });
    admin = await buildUser({ role: 'tenant_admin', tenantId: tenant.id });
    holder = await buildUser({ role: 'policyholder', tenantId: tenant.id });
    otherAdmin = await buildUser({ role: 'tenant_admin', tenantId: other.id });
    categoryId = (await buildCategory({ tenantId: tenant.id, name: 'Houses' })).id;
  });

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const germany = {
    name: 'Germany',
    zone: 'Europe/Berlin',
    workingDays: [1, 2, 3, 4, 5],
    workingHours: [{ start: '09:00', end: '17:00' }],
    holidays: [{ date: '2027-12-24', name: 'Heiligabend' }],
  };
  const createCalendar = async (user: User, name: string): Promise<string> =>
    (
      await stack.api
        .post('/api/v1/tenant/calendars')
        .set(as(user))
        .send({ ...germany, name })
        .expect(201)
    ).body.id as string;
  const createPlan = (body: object = {}) =>
    stack.api
      .post('/api/v1/plans')
      .set(as(admin))
      .send({
        categoryId,
        name: 'House Standard',
        coverageLevel: 'standard',
        coverageAmount: 100000,
        premium: 300,
        durationMonths: 12,
        ...body,
      });
  const changePlan = (id: string, body: object) => stack.api.put(`/api/v1/plans/${id}`).set(as(admin)).send(body);

  async function graphqlPlan(id: string, user: User): Promise<GraphQLAnswer> {
    const res = await stack.api
      .post('/api/graphql')
      .set('Accept', 'application/graphql-response+json')
      .set(as(user))
      .send({ query: PLAN, variables: { id } });
    return JSON.parse(res.text) as GraphQLAnswer;
  }

  it('creates a plan without a calendar (null) and sets one, audited, shown on GET, the list and GraphQL', async () => {
    const created = await createPlan().expect(201);
    expect(created.body.calendarId).toBeNull();
    const calendarId = await createCalendar(admin, 'Germany');

    const changed = await changePlan(created.body.id, { calendarId }).expect(200);
    expect(changed.body.calendarId).toBe(calendarId);
    const one = await stack.api.get(`/api/v1/plans/${created.body.id}`).set(as(holder)).expect(200);
    expect(one.body.calendarId).toBe(calendarId);
    const list = await stack.api.get('/api/v1/plans').set(as(admin)).expect(200);
    expect(list.body.items.find((p: { id: string }) => p.id === created.body.id)).toMatchObject({ calendarId });

    const answer = await graphqlPlan(created.body.id, holder);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.plan).toEqual({ id: created.body.id, calendarId });

    const event = await AuditEvent.findOne({ where: { entityId: created.body.id, action: 'plan.update' } });
    expect(event).toMatchObject({ tenantId: tenant.id, actorId: admin.id });
    expect(event!.changes.calendarId).toEqual({ before: null, after: calendarId });
  });

  it('creates a plan with a calendar', async () => {
    const calendarId = await createCalendar(admin, 'Austria');
    const created = await createPlan({ name: 'House Austria', calendarId }).expect(201);
    expect(created.body.calendarId).toBe(calendarId);
    expect((await Plan.findByPk(created.body.id))!.calendarId).toBe(calendarId);
  });

  it.each([
    ["another tenant's calendar", () => createCalendar(otherAdmin, 'Elsewhere')],
    ['a calendar that does not exist', () => Promise.resolve(randomUUID())],
  ])('refuses %s with 422 on calendarId and changes nothing', async (_, calendarOf) => {
    const calendarId = await calendarOf();
    const { body: plan } = await createPlan({ name: `Guarded ${randomUUID()}` }).expect(201);
    const plansBefore = await Plan.count();
    const eventsBefore = await AuditEvent.count({ where: { entityId: plan.id } });

    const refused = await changePlan(plan.id, { calendarId, name: 'Renamed' }).expect(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'calendarId' })]);
    const refusedCreate = await createPlan({ name: 'Never made', calendarId }).expect(422);
    expect(refusedCreate.body.error.details).toEqual([expect.objectContaining({ field: 'calendarId' })]);

    const row = (await Plan.findByPk(plan.id))!;
    expect(row.calendarId).toBeNull();
    expect(row.name).toBe(plan.name);
    expect(await Plan.count()).toBe(plansBefore);
    expect(await AuditEvent.count({ where: { entityId: plan.id } })).toBe(eventsBefore);
  });

  it('clears the calendar with null, and refuses a value that is not a UUID with 400', async () => {
    const calendarId = await createCalendar(admin, 'Cleared');
    const { body: plan } = await createPlan({ name: 'House Cleared', calendarId }).expect(201);

    const invalid = await changePlan(plan.id, { calendarId: 'not-a-uuid' }).expect(400);
    expect(invalid.body.error.details).toEqual([expect.objectContaining({ field: 'body.calendarId' })]);
    await createPlan({ name: 'Never made', calendarId: 42 }).expect(400);
    expect((await Plan.findByPk(plan.id))!.calendarId).toBe(calendarId);

    const cleared = await changePlan(plan.id, { calendarId: null }).expect(200);
    expect(cleared.body.calendarId).toBeNull();
    expect((await graphqlPlan(plan.id, admin)).data!.plan).toEqual({ id: plan.id, calendarId: null });
    const event = await AuditEvent.findOne({ where: { entityId: plan.id, action: 'plan.update' } });
    expect(event!.changes.calendarId).toEqual({ before: calendarId, after: null });
  });

  it('keeps a calendar a plan names when asked to delete it; once no plan names it, it goes', async () => {
    const calendarId = await createCalendar(admin, 'Named');
    const { body: plan } = await createPlan({ name: 'House Named', calendarId }).expect(201);

    const refused = await stack.api.delete(`/api/v1/tenant/calendars/${calendarId}`).set(as(admin));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    expect(await BusinessCalendar.findByPk(calendarId)).not.toBeNull();
    expect((await Plan.findByPk(plan.id))!.calendarId).toBe(calendarId);
    expect(await AuditEvent.count({ where: { entityId: calendarId, action: 'calendar.delete' } })).toBe(0);

    await changePlan(plan.id, { calendarId: null }).expect(200);
    await stack.api.delete(`/api/v1/tenant/calendars/${calendarId}`).set(as(admin)).expect(204);
    expect(await BusinessCalendar.findByPk(calendarId)).toBeNull();
  });
});

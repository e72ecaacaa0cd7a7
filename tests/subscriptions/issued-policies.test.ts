/**
 * Issued policies end to end on the dev server (the real API, a real worker, PostgreSQL and an
 * SMTP sink): policy numbers under concurrent issues, policy type and holder contact, staff
 * issuing for an existing or a new policyholder, and the claims of one policy.
 */
import { QueryTypes } from 'sequelize';
import { AuditEvent, Plan, Subscription, Tenant, User } from '../../src/models';
import { bearer, buildClaim, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { tokenIn } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { eventually, WAIT_BOUND_MS, waitUntil } from '../support/waiting';
import { aboutPolicy } from '../support/policy-mails';

const POLICY_NUMBER = /^POL-\d{4}-\d{6}$/;
const SET_PASSWORD_SUBJECT = 'Your insurance policy: set your Insurflow password';
const address = { line1: 'Hauptstraße 5', postalCode: '10115', city: 'Berlin', country: 'de' };

describe('issued policies on the dev server', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let plan: Plan;
  let owner: User;
  let neighbour: User;
  let agent: User;
  let admin: User;
  let outsider: User;
  const auth = {} as Record<'owner' | 'neighbour' | 'agent' | 'admin' | 'manager' | 'outsider', string>;

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    let manager: User;
    [owner, neighbour, agent, admin, manager, outsider] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'claims_manager' }),
      buildUser({ tenantId: other.id, role: 'policyholder' }),
    ]);
    const users = { owner, neighbour, agent, admin, manager, outsider };
    for (const [name, user] of Object.entries(users)) auth[name as keyof typeof auth] = bearer(stack.config, user);
    const category = await stack.api.post('/api/v1/categories').set('Authorization', auth.admin).send({ name: 'Shops' }).expect(201);
    const created = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', auth.admin)
      .send({
        categoryId: category.body.id,
        name: 'Shop Standard',
        policyType: 'business',
        coverageLevel: 'standard',
        coverageAmount: 200000,
        premium: 650,
        durationMonths: 12,
      })
      .expect(201);
    expect(created.body.policyType).toBe('business');
    plan = (await Plan.findByPk(created.body.id))!;
  });

  const issue = (who: keyof typeof auth, key: string, body: object = {}) =>
    stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', auth[who])
      .set('Idempotency-Key', key)
      .send({ planId: plan.id, ...body });

  const untilActive = (id: string) =>
    eventually(
      () => Subscription.findByPk(id, { rejectOnEmpty: true }),
      (row) => row.status === 'active',
      `subscription ${id} active`,
      60_000,
    );

  it('gives 50 concurrent issues 50 distinct numbers, one each although the API and the run both insert the row', async () => {
    // Numbered by the year they are issued in: all 50 in one, not across a New Year's midnight.
    const year = Number((await utcDayLasting()).slice(0, 4));
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => issue('owner', `concurrent-${i}`).expect(202)));
    const numbers = answers.map((res) => res.body.policyNumber as string);
    expect(numbers.every((n) => POLICY_NUMBER.test(n))).toBe(true);
    expect(new Set(numbers).size).toBe(50);
    // Every run has made its own insert of the row by the time it is active: it took no number.
    // One query polls the 50 rows: 50 pollers, each taking a connection every 100 ms from the pool
    // the API and the worker share, queued their statements and the runs' own past the pool's 5 s
    // acquire timeout on a loaded machine (and after one failed, the other 49 polled on).
    const ids = answers.map((res) => res.body.id as string);
    expect(new Set(ids).size).toBe(50);
    const rows = await eventually(
      () => Subscription.findAll({ where: { id: ids }, attributes: ['id', 'status', 'policyNumber', 'policyType'] }),
      (found) => found.length === ids.length && found.every((row) => row.status === 'active'),
      `the ${ids.length} subscriptions active`,
      60_000,
    );
    expect(Object.fromEntries(rows.map((row) => [row.id, row.policyNumber]))).toEqual(
      Object.fromEntries(answers.map((res) => [res.body.id, res.body.policyNumber])),
    );
    expect(numbers.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `POL-${year}-${String(i + 1).padStart(6, '0')}`));
    const [counter] = await Subscription.sequelize!.query<{ last_value: number }>(
      'SELECT last_value FROM policy_number_counters WHERE tenant_id = :tenantId AND year = :year',
      { replacements: { tenantId: tenant.id, year }, type: QueryTypes.SELECT },
    );
    expect(counter.last_value).toBe(50);
    expect(rows.every((row) => row.policyType === 'business')).toBe(true);
    // A run's work ends with its activation mail. Waited for here, as the rest of the outcome: the
    // file's later tests would otherwise queue their own mails behind these 50 for the stack's few
    // SMTP sessions, and on a loaded machine not see them within their 15 s. The sink shares this
    // process's thread, so there a mail holds its session for seconds: with the thread half taken,
    // 45 of the 50 came in the first minute after all were active, hence the longer bound.
    const activationMails = () => stack.smtp.messages.filter((m) => m.to.includes(owner.email) && m.subject.includes('is active'));
    await waitUntil(
      () => activationMails().length >= 50,
      () => `50 activation mails; ${activationMails().length} received`,
      2 * WAIT_BOUND_MS,
    );
    const mailsPerNumber = Object.fromEntries(numbers.map((n) => [n, activationMails().filter((m) => m.text.includes(n)).length]));
    expect(mailsPerNumber).toEqual(Object.fromEntries(numbers.map((n) => [n, 1])));
  }, 240_000);

  it('numbers a repeated request once: the same Idempotency-Key answers the same policy number', async () => {
    const first = await issue('owner', 'repeat-1').expect(202);
    const again = await issue('owner', 'repeat-1').expect(202);
    expect(again.body).toMatchObject({ id: first.body.id, policyNumber: first.body.policyNumber });
    await expect(Subscription.count({ where: { id: first.body.id } })).resolves.toBe(1);
  });

  it("stores the holder's validated contact on the policy and refuses bad contact with 400, changing nothing", async () => {
    const created = await issue('owner', 'contact-1', { holderPhone: '+4930123456', propertyAddress: address }).expect(202);
    expect(created.body).toMatchObject({
      policyNumber: expect.stringMatching(POLICY_NUMBER),
      policyType: 'business',
      holderPhone: '+4930123456',
      propertyAddress: { ...address, country: 'DE' },
    });
    const shown = await stack.api.get(`/api/v1/subscriptions/${created.body.id}`).set('Authorization', auth.owner).expect(200);
    expect(shown.body).toMatchObject({ policyNumber: created.body.policyNumber, holderPhone: '+4930123456' });

    const before = await Subscription.count({ where: { tenantId: tenant.id } });
    for (const [key, body] of Object.entries({
      'bad-phone-spaces': { holderPhone: '+49 30 123456' },
      'bad-phone-no-plus': { holderPhone: '030123456' },
      'bad-phone-long': { holderPhone: '+1234567890123456' },
      'bad-country': { propertyAddress: { ...address, country: 'Germany' } },
      'bad-line': { propertyAddress: { ...address, line1: 'a\nb' } },
      'long-city': { propertyAddress: { ...address, city: 'x'.repeat(101) } },
      'no-postal-code': { propertyAddress: { line1: 'x', city: 'y', country: 'DE' } },
    })) {
      const refused = await issue('owner', key, body).expect(400);
      expect(refused.body.error.code).toBe('validation_failed');
    }
    // Two letters that are no country's ISO 3166-1 code are refused as a malformed code is, naming the field.
    for (const country of ['ZZ', 'aa', 'UK', 'EU']) {
      const refused = await issue('owner', `unknown-country-${country}`, { propertyAddress: { ...address, country } }).expect(400);
      expect(refused.body.error).toMatchObject({
        code: 'validation_failed',
        details: [{ field: 'body.propertyAddress.country', message: expect.stringContaining('ISO 3166-1 alpha-2') }],
      });
    }
    await expect(Subscription.count({ where: { tenantId: tenant.id } })).resolves.toBe(before);
  });

  it('lets a claims agent issue a policy to a policyholder of the tenant: the run and e-mails as self-service, the audit names the agent', async () => {
    const created = await issue('agent', 'agent-issue-1', { policyholderId: neighbour.id, holderPhone: '+447700900123' })
      .set('User-Agent', 'BrokerDesk/4.2')
      .expect(202);
    expect(created.body).toMatchObject({ policyholderId: neighbour.id, policyNumber: expect.stringMatching(POLICY_NUMBER) });
    await untilActive(created.body.id);
    const about = await aboutPolicy(created.body.id);
    await stack.smtp.waitFor((m) => about(m) && m.subject.includes('is active'));
    const [event] = await AuditEvent.findAll({ where: { entityId: created.body.id, action: 'subscription.create' } });
    // With the client's evidence, as every other audited change has it.
    expect(event).toMatchObject({
      actorType: 'user',
      actorId: agent.id,
      clientAddress: expect.stringContaining('127.0.0.1'),
      userAgent: 'BrokerDesk/4.2',
    });
    expect(event.changes).toMatchObject({ policyholderId: { after: neighbour.id }, issuedById: { after: agent.id } });
    // The holder sees it as their own.
    await stack.api.get(`/api/v1/subscriptions/${created.body.id}`).set('Authorization', auth.neighbour).expect(200);
  });

  it('refuses to issue to anyone but a policyholder of the tenant (404), to a policyholder naming another (403), to staff naming nobody or both (422)', async () => {
    const before = await Subscription.count();
    for (const policyholderId of [outsider.id, agent.id, '00000000-0000-4000-8000-000000000000']) {
      const missing = await issue('admin', `missing-holder-${policyholderId}`, { policyholderId }).expect(404);
      expect(missing.body.error.code).toBe('not_found');
    }
    const self = await issue('owner', 'owner-for-other', { policyholderId: neighbour.id }).expect(403);
    expect(self.body.error.code).toBe('forbidden');
    await issue('manager', 'manager-issue', { policyholderId: neighbour.id }).expect(403);
    const nobody = await issue('agent', 'agent-nobody').expect(422);
    expect(nobody.body.error.details[0].field).toBe('policyholderId');
    const both = await issue('agent', 'agent-both', {
      policyholderId: neighbour.id,
      newPolicyholder: { fullName: 'X', email: 'x@example.com' },
    }).expect(422);
    expect(both.body.error.details[0].field).toBe('newPolicyholder');
    await expect(Subscription.count()).resolves.toBe(before);
  });

  it('issues to a new holder: creates the account, mails a 72-hour set-password link, and the holder logs in and sees the policy', async () => {
    const email = `new-holder-${Date.now()}@example.com`;
    const created = await issue('admin', 'new-holder-1', {
      newPolicyholder: { fullName: 'Zoë Neumann', email: email.toUpperCase() },
      propertyAddress: address,
    }).expect(202);
    const holder = await User.findOne({ where: { email }, rejectOnEmpty: true });
    expect(holder).toMatchObject({ tenantId: tenant.id, role: 'policyholder', fullName: 'Zoë Neumann', isActive: true });
    expect(created.body.policyholderId).toBe(holder.id);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && m.subject === SET_PASSWORD_SUBJECT);
    expect(mail.text).toContain(created.body.policyNumber);
    expect(mail.text).toContain('72 hours');
    // No password works before the link has set one.
    await stack.api.post('/api/v1/auth/login').send({ email, password: 'Password123' }).expect(401);
    await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: tokenIn(mail), newPassword: 'NewHolder123' })
      .expect(204);
    const login = await stack.api.post('/api/v1/auth/login').send({ email, password: 'NewHolder123' }).expect(200);
    const mine = await stack.api.get('/api/v1/subscriptions').set('Authorization', `Bearer ${login.body.tokens.accessToken}`).expect(200);
    expect(mine.body.items.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
    await untilActive(created.body.id);
    await stack.smtp.waitFor((m) => m.to.includes(email) && m.subject.includes('is active'));
    const trail = await AuditEvent.findAll({ where: { entityId: [holder.id, created.body.id] } });
    expect(trail.map((e) => [e.action, e.actorId])).toEqual(
      expect.arrayContaining([
        ['user.create', admin.id],
        ['subscription.create', admin.id],
      ]),
    );
  });

  it('answers a taken address with the same 409 whoever has it, and creates nothing', async () => {
    const before = { subscriptions: await Subscription.count(), users: await User.count() };
    const answers = [];
    for (const taken of [outsider, agent, neighbour]) {
      const refused = await issue('agent', `taken-${taken.id}`, { newPolicyholder: { fullName: 'Someone', email: taken.email } }).expect(
        409,
      );
      answers.push({ ...refused.body.error, requestId: undefined });
    }
    expect(answers[0]).toMatchObject({ code: 'email_unavailable' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    await expect(Subscription.count()).resolves.toBe(before.subscriptions);
    await expect(User.count()).resolves.toBe(before.users);
    await expect(User.findByPk(outsider.id)).resolves.toMatchObject({ tenantId: outsider.tenantId, fullName: outsider.fullName });
  });

  it("leaves another tenant's account that waits for its link alone: its address is answered as taken, with the same 409", async () => {
    const waiting = await buildUser({ tenantId: outsider.tenantId, role: 'claims_agent', emailVerifiedAt: null });
    const taken = await issue('agent', 'taken-by-outsider-1', { newPolicyholder: { fullName: 'Someone', email: outsider.email } }).expect(
      409,
    );
    const refused = await issue('agent', 'waiting-elsewhere-1', { newPolicyholder: { fullName: 'Someone', email: waiting.email } }).expect(
      409,
    );
    expect({ ...refused.body.error, requestId: undefined }).toEqual({ ...taken.body.error, requestId: undefined });
    expect((await User.findByPk(waiting.id))!.toJSON()).toEqual(waiting.toJSON());
  });

  it('lists the claims of one policy, scoped like every list', async () => {
    const mine = await buildSubscription({ planId: plan.id, policyholderId: owner.id });
    const theirs = await buildSubscription({ planId: plan.id, policyholderId: neighbour.id });
    const [first, second] = [await buildClaim({ subscriptionId: mine.id }), await buildClaim({ subscriptionId: mine.id })];
    const other = await buildClaim({ subscriptionId: theirs.id });
    const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((c) => c.id).sort();

    for (const who of ['owner', 'agent'] as const) {
      const nested = await stack.api.get(`/api/v1/subscriptions/${mine.id}/claims`).set('Authorization', auth[who]).expect(200);
      expect(ids(nested)).toEqual([first.id, second.id].sort());
      expect(nested.body.pagination.total).toBe(2);
      const filtered = await stack.api.get(`/api/v1/claims?subscriptionId=${mine.id}`).set('Authorization', auth[who]).expect(200);
      expect(ids(filtered)).toEqual([first.id, second.id].sort());
    }
    const agentsView = await stack.api.get(`/api/v1/subscriptions/${theirs.id}/claims`).set('Authorization', auth.agent).expect(200);
    expect(ids(agentsView)).toEqual([other.id]);
    // Another policyholder's policy and another tenant's are 404; the filter finds none of their claims.
    await stack.api.get(`/api/v1/subscriptions/${theirs.id}/claims`).set('Authorization', auth.owner).expect(404);
    await stack.api.get(`/api/v1/subscriptions/${mine.id}/claims`).set('Authorization', auth.outsider).expect(404);
    const filteredOut = await stack.api.get(`/api/v1/claims?subscriptionId=${theirs.id}`).set('Authorization', auth.owner).expect(200);
    expect(filteredOut.body.items).toEqual([]);
    await stack.api.get('/api/v1/claims?subscriptionId=not-a-uuid').set('Authorization', auth.agent).expect(400);
  });

  it('finds policies by policy number, holder phone, name and e-mail with q', async () => {
    const holder = await buildUser({
      tenantId: tenant.id,
      role: 'policyholder',
      fullName: 'Jürgen Quixote',
      email: `quixote-${Date.now()}@example.org`,
    });
    const created = await issue('agent', 'search-1', { policyholderId: holder.id, holderPhone: '+15550100777' }).expect(202);
    const found = async (q: string, who: keyof typeof auth = 'agent') => {
      const res = await stack.api.get('/api/v1/subscriptions').query({ q }).set('Authorization', auth[who]).expect(200);
      return res.body.items.map((s: { id: string }) => s.id);
    };
    expect(await found(created.body.policyNumber)).toEqual([created.body.id]);
    expect(await found(created.body.policyNumber.toLowerCase())).toEqual([created.body.id]);
    expect(await found('5550100777')).toEqual([created.body.id]);
    expect(await found('jurgen quix')).toEqual([created.body.id]);
    expect(await found(holder.email.slice(0, 12))).toEqual([created.body.id]);
    // A policyholder searches only their own.
    expect(await found(created.body.policyNumber, 'owner')).toEqual([]);
  });
});

/**
 * Account enumeration and squatting, on the real API, PostgreSQL, Temporal and SMTP sink:
 * `/auth/register`, `/registrations` and `/users` answer a known address exactly as a new one, and
 * only the mailbox tells them apart ("already have an account" or a link). An account works once
 * its link is followed; the link works once and expires; nobody can hold an address they cannot read.
 */
import { AuditEvent, EmailVerificationToken, Registration, Tenant, User } from '../../src/models';
import { bearer, buildTenant, buildUser, registrationRequest, TEST_PASSWORD } from '../support/factories';
import {
  ALREADY_REGISTERED_SUBJECT,
  mailedToken,
  REGISTRATION_ADDRESS_IN_USE_SUBJECT,
  tokenIn,
  VERIFY_ACCOUNT_SUBJECT,
  VERIFY_REGISTRATION_SUBJECT,
} from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';

const PASSWORD = 'Fresh-secret-7';

describe('account enumeration and squatting', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let otherTenant: Tenant;
  let known: User;
  let admin: User;

  beforeAll(async () => {
    tenant = await buildTenant({ slug: 'harbour' });
    otherTenant = await buildTenant({ slug: 'elsewhere' });
    known = await buildUser({ tenantId: otherTenant.id, role: 'claims_agent', email: 'known@example.test' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  const register = (email: string, password = PASSWORD, tenantSlug = 'harbour') =>
    stack.api.post('/api/v1/auth/register').send({ tenantSlug, email, password, fullName: 'Robin Reg' });
  const login = (email: string, password = PASSWORD) => stack.api.post('/api/v1/auth/login').send({ email, password });
  const verify = (token: string) => stack.api.post('/api/v1/auth/verify-email').send({ token });
  const answerOf = (res: { status: number; body: unknown }) => ({ status: res.status, body: res.body });
  const mailsTo = (email: string) => stack.smtp.messages.filter((m) => m.to.includes(email));

  it('/auth/register: the same 202 for a new and a known address; the mail says which; the account works only after its link', async () => {
    const fresh = await register('newcomer@example.test');
    const taken = await register('known@example.test');
    expect(answerOf(fresh)).toEqual({ status: 202, body: { message: expect.any(String) } });
    expect(answerOf(taken)).toEqual(answerOf(fresh));

    await stack.smtp.waitFor((m) => m.to.includes('known@example.test') && m.subject === ALREADY_REGISTERED_SUBJECT);
    const token = await mailedToken(stack.smtp, 'newcomer@example.test', VERIFY_ACCOUNT_SUBJECT);
    expect(mailsTo('known@example.test').map((m) => m.subject)).toEqual([ALREADY_REGISTERED_SUBJECT]);
    // The known account is untouched: same tenant, same password.
    await known.reload();
    expect(known.tenantId).toBe(otherTenant.id);
    await login('known@example.test', TEST_PASSWORD).expect(200);

    // Before the link: the same answer as a wrong password.
    const early = await login('newcomer@example.test');
    const wrong = await login('nobody-at-all@example.test');
    expect(answerOf(early)).toEqual({ status: 401, body: { error: { ...wrong.body.error, requestId: early.body.error.requestId } } });

    await verify(token).expect(204);
    const session = await login('newcomer@example.test').expect(200);
    expect(session.body.user).toMatchObject({
      email: 'newcomer@example.test',
      role: 'policyholder',
      tenantId: tenant.id,
      emailVerifiedAt: expect.any(String),
    });

    const reused = await verify(token).expect(400);
    expect(reused.body.error.code).toBe('verification_token_used');
    const stored = await EmailVerificationToken.findOne({ where: { userId: session.body.user.id } });
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.tokenHash).not.toContain(token);
  });

  it('a link expires after EMAIL_VERIFICATION_TTL_MINUTES, and a made-up one is refused', async () => {
    await register('late@example.test').expect(202);
    const token = await mailedToken(stack.smtp, 'late@example.test', VERIFY_ACCOUNT_SUBJECT);
    const user = await User.findOne({ where: { email: 'late@example.test' } });
    const row = await EmailVerificationToken.findOne({ where: { userId: user!.id } });
    // Issued for the configured lifetime (24 hours by default)...
    expect(Math.abs(row!.expiresAt.getTime() - row!.createdAt.getTime() - stack.config.emailVerificationTtlMs)).toBeLessThan(1000);
    // ...and refused once it has passed.
    await row!.update({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await verify(token).expect(400);
    expect(expired.body.error.code).toBe('verification_token_expired');
    await login('late@example.test').expect(401);
    expect((await verify('A'.repeat(43)).expect(400)).body.error.code).toBe('verification_token_invalid');
  });

  it("nobody can squat an address: a later request's link, once followed, replaces an account that was never verified, and the squatter's link stops working", async () => {
    await register('victim@example.test', 'Squatter-pass-1').expect(202);
    const squatterLink = await mailedToken(stack.smtp, 'victim@example.test', VERIFY_ACCOUNT_SUBJECT);
    const seen = [...mailsTo('victim@example.test')];

    // The owner of the mailbox registers in turn: a fresh link, not "you already have an account".
    await register('victim@example.test').expect(202);
    const ownerLink = await mailedToken(stack.smtp, 'victim@example.test', VERIFY_ACCOUNT_SUBJECT, seen);
    expect(mailsTo('victim@example.test').map((m) => m.subject)).toEqual([VERIFY_ACCOUNT_SUBJECT, VERIFY_ACCOUNT_SUBJECT]);
    await verify(ownerLink).expect(204);
    // The squatter's account is gone, and its link with it.
    expect((await verify(squatterLink).expect(400)).body.error.code).toBe('verification_token_invalid');
    await login('victim@example.test', 'Squatter-pass-1').expect(401);
    await login('victim@example.test').expect(200);
    expect(await User.count({ where: { email: 'victim@example.test' } })).toBe(1);
  });

  it("an account waiting for its link is nobody's to evict: a sign-up in another tenant, or a public sign-up over one a tenant admin created, leaves it as it is and answers as for a new address", async () => {
    await stack.api
      .post('/api/v1/users')
      .set('Authorization', bearer(stack.config, admin))
      .send({ email: 'invited@example.test', fullName: 'Invited Staff', role: 'claims_agent', password: PASSWORD })
      .expect(202);
    const invitation = await mailedToken(stack.smtp, 'invited@example.test', VERIFY_ACCOUNT_SUBJECT);
    const waiting = (await User.findOne({ where: { email: 'invited@example.test' } }))!;
    const seen = [...mailsTo('invited@example.test')];

    const fresh = await register('never-seen@example.test', 'Other-pass-12', 'elsewhere');
    const fromOtherTenant = await register('invited@example.test', 'Other-pass-12', 'elsewhere');
    const fromPublic = await register('invited@example.test', 'Other-pass-12');
    expect(answerOf(fromOtherTenant)).toEqual(answerOf(fresh));
    expect(answerOf(fromPublic)).toEqual(answerOf(fresh));
    // Each request's own link goes to the mailbox; the waiting account is untouched meanwhile.
    const otherTenantLink = await mailedToken(stack.smtp, 'invited@example.test', VERIFY_ACCOUNT_SUBJECT, seen);
    const publicLink = await mailedToken(stack.smtp, 'invited@example.test', VERIFY_ACCOUNT_SUBJECT, [
      ...seen,
      ...mailsTo('invited@example.test').filter((m) => tokenIn(m) === otherTenantLink),
    ]);
    const now = (await User.findByPk(waiting.id))!;
    expect(now.toJSON()).toEqual(waiting.toJSON());
    expect(now.passwordHash).toBe(waiting.passwordHash);
    expect(await User.count({ where: { email: 'invited@example.test' } })).toBe(1);

    // The link the admin's request mailed still works, for the account the admin made; the others stop.
    await verify(invitation).expect(204);
    const session = await login('invited@example.test').expect(200);
    expect(session.body.user).toMatchObject({ id: waiting.id, tenantId: tenant.id, role: 'claims_agent' });
    for (const link of [otherTenantLink, publicLink])
      expect((await verify(link).expect(400)).body.error.code).toBe('verification_token_used');
    await login('invited@example.test', 'Other-pass-12').expect(401);
  });

  it("the owner of the address decides: following a later request's link replaces the waiting account, and its tenant's audit trail says so", async () => {
    await register('moving@example.test', 'First-pass-123').expect(202);
    const firstLink = await mailedToken(stack.smtp, 'moving@example.test', VERIFY_ACCOUNT_SUBJECT);
    const waiting = (await User.findOne({ where: { email: 'moving@example.test' } }))!;
    const seen = [...mailsTo('moving@example.test')];
    await register('moving@example.test', PASSWORD, 'elsewhere').expect(202);
    const laterLink = await mailedToken(stack.smtp, 'moving@example.test', VERIFY_ACCOUNT_SUBJECT, seen);
    expect((await User.findByPk(waiting.id))!.tenantId).toBe(tenant.id);

    await verify(laterLink).expect(204);
    const session = await login('moving@example.test').expect(200);
    expect(session.body.user).toMatchObject({ tenantId: otherTenant.id, role: 'policyholder' });
    expect(await User.findByPk(waiting.id)).toBeNull();
    expect((await verify(firstLink).expect(400)).body.error.code).toBe('verification_token_invalid');
    const event = await AuditEvent.findOne({ where: { action: 'user.unverified_replace', entityId: waiting.id } });
    expect(event!.toJSON()).toMatchObject({ tenantId: tenant.id, actor: { type: 'user', id: session.body.user.id } });
  });

  it('answers a known address in about the time of a new one (both hash the password, both mail)', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await register(email).expect(202);
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const fresh: number[] = [];
    const taken: number[] = [];
    for (let i = 0; i < 11; i++) {
      fresh.push(await time(`timing-${i}@example.test`));
      taken.push(await time('known@example.test'));
    }
    const [newMedian, knownMedian] = [median(fresh), median(taken)];
    process.stdout.write(`register median: new address ${newMedian.toFixed(1)} ms, known address ${knownMedian.toFixed(1)} ms\n`);
    // The old code answered a known address before hashing: in a fraction of the time of a new one.
    expect(knownMedian).toBeGreaterThan(newMedian * 0.5);
    expect(knownMedian).toBeLessThan(newMedian * 2);
  });

  it('/registrations: the same 202 for a new and a known admin e-mail; the link submits the registration once', async () => {
    const body = (slug: string, adminEmail: string) => registrationRequest(slug, { adminEmail, adminPassword: PASSWORD });
    const fresh = await stack.api.post('/api/v1/registrations').send(body('brightline', 'founder@brightline.test'));
    const taken = await stack.api.post('/api/v1/registrations').send(body('copycat', 'known@example.test'));
    expect(answerOf(fresh)).toEqual({ status: 202, body: { message: expect.any(String) } });
    expect(answerOf(taken)).toEqual(answerOf(fresh));

    await stack.smtp.waitFor((m) => m.to.includes('known@example.test') && m.subject === REGISTRATION_ADDRESS_IN_USE_SUBJECT);
    const token = await mailedToken(stack.smtp, 'founder@brightline.test', VERIFY_REGISTRATION_SUBJECT);
    // Nothing reaches the platform admins before the link is followed.
    expect(await Registration.count()).toBe(0);

    const submitted = await stack.api.post('/api/v1/registrations/verify').send({ token }).expect(202);
    expect(submitted.body).toEqual({
      id: expect.any(String),
      status: 'pending',
      workflowId: `onboarding-${submitted.body.id}`,
      runId: expect.any(String),
    });
    const stored = await Registration.findByPk(submitted.body.id);
    expect(stored).toMatchObject({ requestedSlug: 'brightline', adminEmail: 'founder@brightline.test', status: 'pending' });
    expect(stored!.adminPasswordHash).toMatch(/^\$argon2id\$/);
    const again = await stack.api.post('/api/v1/registrations/verify').send({ token }).expect(400);
    expect(again.body.error.code).toBe('verification_token_used');
    // An account link does not submit a registration.
    await register('crossover@example.test').expect(202);
    const accountLink = await mailedToken(stack.smtp, 'crossover@example.test', VERIFY_ACCOUNT_SUBJECT);
    expect((await stack.api.post('/api/v1/registrations/verify').send({ token: accountLink }).expect(400)).body.error.code).toBe(
      'verification_token_invalid',
    );
    expect(await Registration.count()).toBe(1);
  });

  it("/users: a tenant admin gets the same 202 for a new address, a colleague's and another tenant's user's; the other tenant's user is untouched", async () => {
    const auth = bearer(stack.config, admin);
    const colleague = await buildUser({ tenantId: tenant.id, role: 'adjuster', email: 'colleague@example.test' });
    const outsider = await buildUser({ tenantId: otherTenant.id, role: 'claims_agent', email: 'outsider@example.test' });
    const add = (email: string) =>
      stack.api
        .post('/api/v1/users')
        .set('Authorization', auth)
        .send({ email, fullName: 'New Staff', role: 'claims_agent', password: PASSWORD });

    const fresh = await add('staff@example.test');
    const sameTenant = await add(colleague.email);
    const otherTenantUser = await add(outsider.email);
    expect(answerOf(fresh)).toEqual({ status: 202, body: { message: expect.any(String) } });
    expect(answerOf(sameTenant)).toEqual(answerOf(fresh));
    expect(answerOf(otherTenantUser)).toEqual(answerOf(fresh));

    const { passwordHash } = outsider;
    expect((await User.findByPk(outsider.id))!.toJSON()).toEqual(outsider.toJSON());
    expect((await User.findByPk(outsider.id))!.passwordHash).toBe(passwordHash);
    await login(outsider.email, TEST_PASSWORD).expect(200);
    await colleague.reload();
    expect(colleague.role).toBe('adjuster');
    await stack.smtp.waitFor((m) => m.to.includes('outsider@example.test') && m.subject === ALREADY_REGISTERED_SUBJECT);
    await stack.smtp.waitFor((m) => m.to.includes('colleague@example.test') && m.subject === ALREADY_REGISTERED_SUBJECT);

    // The new staff member appears in the tenant's list, and signs in once the address is confirmed.
    const listed = await stack.api.get('/api/v1/users').query({ q: 'staff@example.test' }).set('Authorization', auth).expect(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ email: 'staff@example.test', role: 'claims_agent', emailVerifiedAt: null }),
    ]);
    await login('staff@example.test').expect(401);
    await verify(await mailedToken(stack.smtp, 'staff@example.test', VERIFY_ACCOUNT_SUBJECT)).expect(204);
    await login('staff@example.test').expect(200);
  });

  it('nobody can hold a known address spelled with invisible or lookalike characters: /auth/register and /users refuse it (400 body.email), and make no account', async () => {
    const auth = bearer(stack.config, admin);
    // Each reads as known@example.test; the mail transport maps a domain to ASCII (dropping U+200B,
    // U+00AD and U+2060, reading the ideographic and fullwidth full stops as dots), so the first mails
    // of such an account, its activation link among them, would reach the known account's mailbox.
    const lookalikes = [
      'known@example.test\u200b',
      'known@exam\u00adple.test',
      'known@example\u3002test',
      'known@example\uff0etest',
      'known@example.te\u2060st',
      'kn\u200bown@example.test',
      '\u202eknown@example.test',
    ];
    const users = await User.count();
    for (const email of lookalikes) {
      const signUp = await register(email);
      const added = await stack.api
        .post('/api/v1/users')
        .set('Authorization', auth)
        .send({ email, fullName: 'Look Alike', role: 'claims_agent', password: PASSWORD });
      for (const res of [signUp, added]) {
        expect({ email, status: res.status, fields: res.body.error?.details?.map((d: { field: string }) => d.field) }).toEqual({
          email,
          status: 400,
          fields: ['body.email'],
        });
      }
    }
    expect(await User.count()).toBe(users);
    // An internationalised address in its delivered form is still an address.
    expect(answerOf(await register('jos\u00e9@b\u00fccher.example'))).toEqual({ status: 202, body: { message: expect.any(String) } });
  });
});

/**
 * The account, user and onboarding commands of src/domain called as a second transport will call
 * them: no HTTP, only a caller (none for a public command), an input and the deps any transport
 * builds (commandDepsOf). Real PostgreSQL, Temporal dev server, worker and SMTP sink. Refusals
 * are read through the API's error mapping, so they are the very answers REST gives.
 */
import crypto from 'node:crypto';
import { commandDepsOf } from '../../src/api/http/command-deps';
import type { LoginAttempts } from '../../src/domain/identity/presence';
import {
  changePassword,
  confirmPasswordReset,
  logIn,
  refreshSession,
  registerPolicyholder,
  requestPasswordReset,
  verifyEmail,
} from '../../src/domain/identity/commands';
import {
  approveRegistration,
  rejectRegistration,
  requestCompanyRegistration,
  submitRegistration,
} from '../../src/domain/onboarding/commands';
import { createUser, updateUser } from '../../src/domain/users/commands';
import { AuditEvent, OutboxMessage, RefreshToken, Registration, type Tenant, User } from '../../src/models';
import type { AuthUser } from '../../src/shared/caller';
import { buildCaller, buildTenant, buildUser, callerOf, registrationRequest, TEST_PASSWORD } from '../support/factories';
import { mailedToken, VERIFY_ACCOUNT_SUBJECT, VERIFY_REGISTRATION_SUBJECT } from '../support/mailed-tokens';
import { refusal } from '../support/refusals';
import { withoutPresence } from '../support/sessions';
import { testStackOfBlock } from '../support/stack';

const PASSWORD = 'Command-Secret-42';

describe('account, user and onboarding commands called directly, without HTTP', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let admin: AuthUser;

  /** A fresh request as any transport would describe it; `caller` null for a public one. */
  const request = (caller: AuthUser | null, idempotencyKey?: string) => {
    const requestId = crypto.randomUUID();
    return { requestId, deps: commandDepsOf(stack.services, { caller, requestId, idempotencyKey }) };
  };
  /** The mailed token of the next mail with this subject to `to`, once `send` has run. */
  const tokenMailedBy = async (send: () => Promise<unknown>, to: string, subject: string) => {
    const seen = [...stack.smtp.messages];
    await send();
    return mailedToken(stack.smtp, to, subject, seen);
  };

  /** A transport's own count of one client's wrong passwords: this one never delays, it records what the command asked. */
  function countedAttempts() {
    const asked: string[] = [];
    const attempts: LoginAttempts = {
      assertAllowed: () => Promise.resolve({ hasFailures: asked.includes('recordFailure') }),
      recordFailure: () => {
        asked.push('recordFailure');
        return Promise.resolve({ delayed: false });
      },
      firstWarning: () => {
        asked.push('firstWarning');
        return Promise.resolve(false);
      },
      reset: () => {
        asked.push('reset');
        return Promise.resolve();
      },
    };
    return { asked, attempts };
  }

  beforeAll(async () => {
    tenant = await buildTenant();
    admin = await buildCaller({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  it('auth: sign up, prove the address, sign in, change and reset the password; refusals as REST answers them', async () => {
    const email = `holder-${crypto.randomUUID().slice(0, 8)}@example.test`;
    await expect(
      refusal(registerPolicyholder({ tenantSlug: 'no-such-tenant', email, password: PASSWORD, fullName: 'Nobody' }, request(null).deps)),
    ).resolves.toMatchObject({ status: 404, code: 'not_found' });

    const signUp = request(null);
    const token = await tokenMailedBy(
      () => registerPolicyholder({ tenantSlug: tenant.slug, email, password: PASSWORD, fullName: 'Holly Holder' }, signUp.deps),
      email,
      VERIFY_ACCOUNT_SUBJECT,
    );
    const user = await User.findOne({ where: { email } });
    expect(user).toMatchObject({ tenantId: tenant.id, role: 'policyholder', emailVerifiedAt: null });
    const verifying = request(null);
    await verifyEmail({ token }, verifying.deps);
    await expect(refusal(verifyEmail({ token }, request(null).deps))).resolves.toMatchObject({
      status: 400,
      code: 'verification_token_used',
    });
    // Before anyone signs in, the account's owner is the actor of its own events.
    const events = await AuditEvent.findAll({ where: { entityId: user!.id }, order: [['id', 'ASC']] });
    expect(events.map((e) => [e.action, e.actorId, e.requestId])).toEqual([
      ['user.register', user!.id, signUp.requestId],
      ['user.verify_email', user!.id, verifying.requestId],
    ]);

    const wrong = countedAttempts();
    await expect(
      refusal(logIn({ email, password: 'not the password', attempts: wrong.attempts }, request(null).deps)),
    ).resolves.toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
    expect(wrong.asked).toEqual(['recordFailure']);
    const session = await logIn({ email, password: PASSWORD, attempts: wrong.attempts }, request(null).deps);
    expect(wrong.asked).toEqual(['recordFailure', 'reset']);
    // Without a second factor the password step is the only one.
    if (!('tokens' in session)) throw new Error(`signing in asked for a second step: ${session.status}`);
    expect(session.user.id).toBe(user!.id);
    await expect(User.findByPk(user!.id)).resolves.toMatchObject({ lastLoginAt: expect.any(Date) });
    const rotated = await refreshSession({ refreshToken: session.tokens.refreshToken }, request(null).deps);

    const caller = callerOf(user!);
    await expect(
      refusal(
        changePassword(
          caller,
          { currentPassword: 'wrong', newPassword: 'Another-Secret-43', sessionFamilyId: undefined },
          request(caller).deps,
        ),
      ),
    ).resolves.toMatchObject({ status: 400, code: 'wrong_current_password' });
    const changing = request(caller);
    const changed = await changePassword(
      caller,
      { currentPassword: PASSWORD, newPassword: 'Another-Secret-43', sessionFamilyId: undefined },
      changing.deps,
    );
    expect(changed.accessToken).toEqual(expect.any(String));
    await expect(AuditEvent.findOne({ where: { entityId: user!.id, action: 'user.password_change' } })).resolves.toMatchObject({
      actorId: user!.id,
      requestId: changing.requestId,
    });
    // Every other session ended with the change.
    await expect(refusal(refreshSession({ refreshToken: rotated.refreshToken }, request(null).deps))).resolves.toMatchObject({
      status: 401,
      code: 'invalid_refresh_token',
    });

    const resetToken = await tokenMailedBy(
      () => requestPasswordReset({ email }, request(null).deps),
      email,
      'Reset your Insurflow password',
    );
    await confirmPasswordReset({ token: resetToken, newPassword: 'Third-Secret-44' }, request(null).deps);
    await expect(
      refusal(confirmPasswordReset({ token: resetToken, newPassword: 'Fourth-Secret-45' }, request(null).deps)),
    ).resolves.toMatchObject({ status: 400, code: 'reset_token_used' });
    await expect(
      logIn({ email, password: 'Third-Secret-44', attempts: countedAttempts().attempts }, request(null).deps),
    ).resolves.toMatchObject({ user: { id: user!.id } });
  });

  it("auth: a suspended tenant's member is told tenant_suspended (403) only with the right password, and gets no session", async () => {
    const member = await buildUser({ tenantId: (await buildTenant({ status: 'suspended' })).id, role: 'claims_agent' });
    const wrong = countedAttempts();
    await expect(
      refusal(logIn({ email: member.email, password: 'not the password', attempts: wrong.attempts }, request(null).deps)),
    ).resolves.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(wrong.asked).toEqual(['recordFailure']);
    const right = countedAttempts();
    await expect(
      refusal(logIn({ email: member.email, password: TEST_PASSWORD, attempts: right.attempts }, request(null).deps)),
    ).resolves.toMatchObject({ status: 403, code: 'tenant_suspended' });
    // Not a wrong password: nothing counted against the client; no session, no sign-in recorded.
    expect(right.asked).toEqual([]);
    await expect(RefreshToken.count({ where: { userId: member.id } })).resolves.toBe(0);
    await expect(User.findByPk(member.id)).resolves.toMatchObject({ lastLoginAt: null });
  });

  it("users: an admin adds and changes the tenant's users, not another tenant's, and cannot demote themselves", async () => {
    const email = `staff-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const adding = request(admin);
    await tokenMailedBy(
      () => createUser(admin, { email, fullName: 'Sam Staff', role: 'claims_agent', password: PASSWORD, ...withoutPresence }, adding.deps),
      email,
      VERIFY_ACCOUNT_SUBJECT,
    );
    const added = await User.findOne({ where: { email } });
    expect(added).toMatchObject({ tenantId: tenant.id, role: 'claims_agent' });
    await expect(AuditEvent.findOne({ where: { entityId: added!.id, action: 'user.create' } })).resolves.toMatchObject({
      actorId: admin.id,
      requestId: adding.requestId,
    });
    await expect(
      refusal(
        createUser(
          admin,
          {
            email: `x-${email}`,
            fullName: 'X',
            role: 'claims_agent',
            managerId: crypto.randomUUID(),
            password: PASSWORD,
            ...withoutPresence,
          },
          request(admin).deps,
        ),
      ),
    ).resolves.toMatchObject({ status: 422, code: 'unprocessable' });

    const promoting = request(admin);
    await expect(updateUser(admin, { id: added!.id, role: 'claims_manager', ...withoutPresence }, promoting.deps)).resolves.toMatchObject({
      role: 'claims_manager',
    });
    await expect(AuditEvent.findOne({ where: { entityId: added!.id, action: 'user.role_change' } })).resolves.toMatchObject({
      actorId: admin.id,
      requestId: promoting.requestId,
      changes: { role: { before: 'claims_agent', after: 'claims_manager' } },
    });

    const foreignAdmin = await buildCaller({ tenantId: (await buildTenant()).id, role: 'tenant_admin' });
    await expect(
      refusal(updateUser(foreignAdmin, { id: added!.id, isActive: false, ...withoutPresence }, request(foreignAdmin).deps)),
    ).resolves.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    await expect(
      refusal(updateUser(admin, { id: admin.id, role: 'claims_agent', ...withoutPresence }, request(admin).deps)),
    ).resolves.toMatchObject({
      status: 422,
      code: 'unprocessable',
    });
    await expect(User.findByPk(added!.id)).resolves.toMatchObject({ role: 'claims_manager', isActive: true });
    await expect(User.findByPk(admin.id)).resolves.toMatchObject({ role: 'tenant_admin' });
  });

  it('onboarding: a registration submitted with its mailed token starts its run; decided once, by a platform admin only', async () => {
    const slug = `co-${crypto.randomUUID().slice(0, 8)}`;
    const fields = registrationRequest(slug, { adminPassword: PASSWORD });
    const token = await tokenMailedBy(
      () => requestCompanyRegistration(fields, request(null).deps),
      fields.adminEmail,
      VERIFY_REGISTRATION_SUBJECT,
    );
    const registration = await submitRegistration({ token }, request(null).deps);
    expect(registration).toMatchObject({ status: 'pending', workflowId: `onboarding-${registration.id}`, runId: expect.any(String) });
    // Delivered at once by the command, and the run ID recorded on the row.
    await expect(OutboxMessage.findOne({ where: { workflowId: registration.workflowId } })).resolves.toMatchObject({
      deliveredAt: expect.any(Date),
      runId: registration.runId,
    });
    await expect(Registration.findByPk(registration.id)).resolves.toMatchObject({ runId: registration.runId });
    // The slug is held by the open request now.
    await expect(
      refusal(requestCompanyRegistration({ ...fields, adminEmail: `other@${slug}.test` }, request(null).deps)),
    ).resolves.toMatchObject({ status: 409, code: 'conflict' });

    await expect(refusal(approveRegistration(admin, { id: registration.id }, request(admin).deps))).resolves.toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    const platformAdmin = await buildCaller({ role: 'platform_admin' });
    await expect(approveRegistration(platformAdmin, { id: registration.id }, request(platformAdmin).deps)).resolves.toMatchObject({
      id: registration.id,
      status: expect.not.stringMatching(/^pending$/),
    });
    await expect(
      refusal(rejectRegistration(platformAdmin, { id: registration.id, reason: 'Too late' }, request(platformAdmin).deps)),
    ).resolves.toMatchObject({ status: 409, code: 'conflict' });
    await expect(Registration.findByPk(registration.id)).resolves.toMatchObject({ reason: null, decidedById: platformAdmin.id });
  });
});

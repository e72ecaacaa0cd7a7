/**
 * The second factor through the real API and PostgreSQL: a staff member enrols (otpauth:// URI and
 * secret answered once, the secret stored encrypted), confirms with a current code (recovery codes
 * answered once, stored as hashes), and then signs in in two steps; a code is never accepted twice,
 * wrong codes are bounded per challenge and per user, a challenge is single-use and expires, a
 * recovery code works once; a tenant that requires a second factor makes its staff enrol before
 * signing in. Codes are made with otplib from the secret the enrolment answered, as an
 * authenticator app would, with the plugins the API uses (node:crypto's HMAC, RFC 4648 base32),
 * checked first against the RFCs' own test vectors.
 */
import crypto from 'node:crypto';
import { generateSync } from '@otplib/totp';
import { AuditEvent, MfaChallenge, MfaRecoveryCode, Tenant, User, UserMfa } from '../../src/models';
import { base32Decode, base32Encode } from '../../src/services/base32';
import { TOTP_PLUGINS } from '../../src/services/totp';
import { bearer, buildTenant, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { waitUntil } from '../support/waiting';

const PERIOD_SECONDS = 30;
const RECOVERY_CODE = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/;
const currentStep = () => Math.floor(Date.now() / 1000 / PERIOD_SECONDS);
const secondsIntoStep = () => (Date.now() / 1000) % PERIOD_SECONDS;

/** An authenticator app holding the secret: each code it gives is of a step the server has not seen yet. */
class Authenticator {
  private lastStep = Number.NEGATIVE_INFINITY;
  constructor(readonly secret: string) {}

  codeAt(step: number): string {
    return generateSync({ ...TOTP_PLUGINS, secret: this.secret, epoch: step * PERIOD_SECONDS });
  }

  /**
   * A code for the step after the last one given: the server takes the step before and after the
   * current one too, so up to three codes are at hand at once; past that it waits for the clock.
   * The step before is not used late in a step, when it could fall out of the window before the
   * server checks it.
   */
  async next(): Promise<string> {
    const step = Math.max(this.lastStep + 1, secondsIntoStep() < 20 ? currentStep() - 1 : currentStep());
    if (step > currentStep() + 1) await waitUntil(() => currentStep() + 1 >= step, 'the next TOTP step', 2 * PERIOD_SECONDS * 1000);
    this.lastStep = step;
    return this.codeAt(step);
  }

  /** Six digits that are no code of the steps the server accepts now. */
  wrong(): string {
    const accepted = [-2, -1, 0, 1, 2].map((offset) => this.codeAt(currentStep() + offset));
    for (let offset = 1000; ; offset += 1) {
      const code = this.codeAt(currentStep() + offset);
      if (!accepted.includes(code)) return code;
    }
  }
}

describe('second factor: TOTP enrolment, two-step sign-in, recovery codes, MFA required for staff', () => {
  // A delay long enough that the attempt right after it is always refused, however loaded the machine.
  const stack = testStackOfBlock({ env: { RATE_LIMIT_LOGIN_FIRST_DELAY_SECONDS: '60' } });
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    tenant = await buildTenant({ name: 'Acme Insurance' });
    admin = await buildUser({ role: 'tenant_admin', tenantId: tenant.id });
  });

  const login = (user: User) => stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD });
  const auth = (accessToken: string) => ({ Authorization: `Bearer ${accessToken}` });
  const verify = (challenge: string, code: string) => stack.api.post('/api/v1/auth/mfa/verify').send({ challenge, code });
  const events = (user: User, action: string) => AuditEvent.findAll({ where: { entityId: user.id, action }, order: [['id', 'ASC']] });

  /** A staff member signed in with a password only, enrolled: their authenticator and recovery codes. */
  async function enrolled(role: User['role'] = 'adjuster', tenantId = tenant.id) {
    const user = await buildUser({ role, tenantId });
    const session = (await login(user).expect(200)).body as { tokens: { accessToken: string } };
    const started = await stack.api.post('/api/v1/auth/mfa/enrolment').set(auth(session.tokens.accessToken)).expect(200);
    const app = new Authenticator(started.body.secret);
    const confirmed = await stack.api
      .post('/api/v1/auth/mfa/enrolment/confirm')
      .set(auth(session.tokens.accessToken))
      .send({ code: await app.next() })
      .expect(200);
    return { user, app, accessToken: session.tokens.accessToken, recoveryCodes: confirmed.body.recoveryCodes as string[] };
  }

  async function challengeFor(user: User): Promise<string> {
    const res = await login(user).expect(200);
    expect(res.body).toEqual({ status: 'mfa_required', challenge: expect.any(String), expiresIn: 300 });
    return res.body.challenge as string;
  }

  it("makes the RFCs' codes: base32 of RFC 4648 and TOTP (SHA-1) of RFC 6238", () => {
    for (const [text, encoded] of [
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ]) {
      expect(base32Encode(Buffer.from(text))).toBe(encoded);
      expect(Buffer.from(base32Decode(encoded)).toString()).toBe(text);
    }
    const secret = base32Encode(Buffer.from('12345678901234567890'));
    const at = (epoch: number) => generateSync({ ...TOTP_PLUGINS, secret, epoch, digits: 8 });
    expect([at(59), at(1111111109), at(1111111111), at(1234567890), at(2000000000)]).toEqual([
      '94287082',
      '07081804',
      '14050471',
      '89005924',
      '69279037',
    ]);
  });

  it('enrols a staff member: URI and secret once, confirmed by a current code, recovery codes once; stored encrypted and hashed', async () => {
    const user = await buildUser({ role: 'claims_manager', tenantId: tenant.id });
    // Without a second factor, sign-in answers the session exactly as before.
    const first = await login(user).expect(200);
    expect(Object.keys(first.body).sort()).toEqual(['tokens', 'user']);
    const headers = auth(first.body.tokens.accessToken);

    const started = await stack.api.post('/api/v1/auth/mfa/enrolment').set(headers).expect(200);
    expect(started.headers['cache-control']).toBe('no-store');
    const { otpauthUri, secret } = started.body as { otpauthUri: string; secret: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Insurflow:${user.email}`);
    expect(uri.searchParams.get('issuer')).toBe('Insurflow');
    expect(uri.searchParams.get('secret')).toBe(secret);

    const row = (await UserMfa.findByPk(user.id, { raw: true }))!;
    expect(row.enrolledAt).toBeNull();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secretEncrypted).toMatch(/^v1\./);

    const app = new Authenticator(secret);
    const wrong = await stack.api.post('/api/v1/auth/mfa/enrolment/confirm').set(headers).send({ code: app.wrong() }).expect(400);
    expect(wrong.body.error.code).toBe('wrong_mfa_code');
    expect((await UserMfa.findByPk(user.id))!.enrolledAt).toBeNull();

    const confirmed = await stack.api
      .post('/api/v1/auth/mfa/enrolment/confirm')
      .set(headers)
      .send({ code: await app.next() })
      .expect(200);
    const { recoveryCodes } = confirmed.body as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(RECOVERY_CODE);
    const stored = await MfaRecoveryCode.findAll({ where: { userId: user.id }, raw: true });
    expect(stored.map((r) => r.codeHash).sort()).toEqual(
      recoveryCodes.map((c) => crypto.createHash('sha256').update(c).digest('hex')).sort(),
    );
    for (const code of recoveryCodes) expect(JSON.stringify(stored)).not.toContain(code);

    const status = await stack.api.get('/api/v1/auth/mfa').set(headers).expect(200);
    expect(status.body).toEqual({ enrolled: true, enrolledAt: expect.any(String), recoveryCodesLeft: 10, required: false });
    // Enrolled: starting again is refused, and no secret is answered.
    const again = await stack.api.post('/api/v1/auth/mfa/enrolment').set(headers).expect(409);
    expect(JSON.stringify(again.body)).not.toContain(secret);

    expect(await events(user, 'mfa.enrolled')).toEqual([
      expect.objectContaining({ tenantId: tenant.id, actorId: user.id, changes: { recoveryCodesIssued: { before: null, after: 10 } } }),
    ]);
    expect(await events(user, 'mfa.challenge_failed')).toHaveLength(1);
  });

  it('signs in in two steps once enrolled: the password answers a challenge, the challenge and a code the usual tokens', async () => {
    const { user, app } = await enrolled();
    const challenge = await challengeFor(user);

    const signedIn = await verify(challenge, await app.next()).expect(200);
    expect(signedIn.headers['cache-control']).toBe('no-store');
    expect(signedIn.body.user).toMatchObject({ id: user.id, email: user.email });
    const { accessToken, refreshToken } = signedIn.body.tokens as { accessToken: string; refreshToken: string };
    await stack.api.get('/api/v1/auth/me').set(auth(accessToken)).expect(200);
    // The session is an ordinary one: its refresh token rotates as before.
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken }).expect(200);
    expect((await User.findByPk(user.id))!.lastLoginAt).not.toBeNull();
    // The password step is on the record as a challenge, the code's as the sign-in.
    const onRecord = { tenantId: tenant.id, actorId: user.id, category: 'authentication' };
    expect(await events(user, 'mfa.challenged')).toEqual([expect.objectContaining(onRecord)]);
    expect(await events(user, 'auth.sign_in')).toHaveLength(2);

    // The challenge was used up: replayed, even with a code that would be right, it is refused.
    const replayed = await verify(challenge, await app.next()).expect(401);
    expect(replayed.body.error.code).toBe('invalid_mfa_challenge');
    expect(replayed.body.tokens).toBeUndefined();
  });

  it("a session signed in with a code ends at logout and at a replayed refresh token: that login's access tokens are refused at once", async () => {
    const { user, app } = await enrolled();
    const signInWithCode = async () =>
      (await verify(await challengeFor(user), await app.next()).expect(200)).body.tokens as { accessToken: string; refreshToken: string };

    const loggedOut = await signInWithCode();
    await stack.api.get('/api/v1/auth/me').set(auth(loggedOut.accessToken)).expect(200);
    await stack.api.post('/api/v1/auth/logout').set(auth(loggedOut.accessToken)).send({ refreshToken: loggedOut.refreshToken }).expect(204);
    await stack.api.get('/api/v1/auth/me').set(auth(loggedOut.accessToken)).expect(401);

    const stolen = await signInWithCode();
    const rotated = (await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: stolen.refreshToken }).expect(200)).body;
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: stolen.refreshToken }).expect(401);
    await stack.api.get('/api/v1/auth/me').set(auth(stolen.accessToken)).expect(401);
    await stack.api.get('/api/v1/auth/me').set(auth(rotated.accessToken)).expect(401);
  });

  it('never accepts a code twice: the code that confirmed enrolment or signed in is refused within its window', async () => {
    const user = await buildUser({ role: 'adjuster', tenantId: tenant.id });
    const session = (await login(user).expect(200)).body as { tokens: { accessToken: string } };
    const headers = auth(session.tokens.accessToken);
    const app = new Authenticator((await stack.api.post('/api/v1/auth/mfa/enrolment').set(headers).expect(200)).body.secret);
    const confirming = await app.next();
    await stack.api.post('/api/v1/auth/mfa/enrolment/confirm').set(headers).send({ code: confirming }).expect(200);

    const challenge = await challengeFor(user);
    const reused = await verify(challenge, confirming).expect(401);
    expect(reused.body.error.code).toBe('wrong_mfa_code');
    const signingIn = await app.next();
    await verify(challenge, signingIn).expect(200);

    // The same code on a fresh challenge, still within its 30 seconds (and the step either side): refused.
    const next = await challengeFor(user);
    expect((await verify(next, signingIn).expect(401)).body.error.code).toBe('wrong_mfa_code');
    await verify(next, await app.next()).expect(200);
  });

  it('two requests racing with one code: only one signs in', async () => {
    const { user, app } = await enrolled();
    const [a, b] = [await challengeFor(user), await challengeFor(user)];
    const code = await app.next();
    const answers = await Promise.all([verify(a, code), verify(b, code)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('bounds wrong codes: a challenge is used up after five, and a user is delayed after ten, whatever the challenge', async () => {
    const { user, app } = await enrolled();
    const challenge = await challengeFor(user);
    for (let i = 0; i < 5; i += 1) {
      const res = await verify(challenge, app.wrong()).expect(401);
      expect(res.body.error.code).toBe('wrong_mfa_code');
    }
    const usedUp = await verify(challenge, await app.next()).expect(401);
    expect(usedUp.body.error.code).toBe('invalid_mfa_challenge');
    const failures = await events(user, 'mfa.challenge_failed');
    expect(failures.map((e) => e.changes.failedAttempts?.after)).toEqual([1, 2, 3, 4, 5]);
    expect(failures[0]).toMatchObject({ tenantId: tenant.id, actorId: user.id, changes: { during: { before: null, after: 'sign_in' } } });

    const second = await challengeFor(user);
    for (let i = 0; i < 5; i += 1) await verify(second, app.wrong()).expect(401);
    // Ten wrong codes: the next attempt, even with a right code on a new challenge, waits.
    const delayed = await verify(await challengeFor(user), await app.next()).expect(429);
    expect(Number(delayed.headers['retry-after'])).toBeGreaterThan(0);
    // Another user is not slowed down by it.
    const other = await enrolled();
    await verify(await challengeFor(other.user), await other.app.next()).expect(200);
  });

  it('a recovery code signs in once, in any case, and is refused the second time', async () => {
    const { user, recoveryCodes } = await enrolled();
    const [code] = recoveryCodes;
    await verify(await challengeFor(user), code.toUpperCase()).expect(200);
    const used = await events(user, 'mfa.recovery_code_used');
    expect(used).toEqual([
      expect.objectContaining({ changes: expect.objectContaining({ recoveryCodesLeft: { before: null, after: 9 } }) }),
    ]);
    expect(JSON.stringify(used)).not.toContain(code);

    const again = await verify(await challengeFor(user), code).expect(401);
    expect(again.body.error.code).toBe('wrong_mfa_code');
    // A code that looks right but was never issued is just as wrong.
    await verify(await challengeFor(user), 'abcd-efgh-jkmn-pqrs').expect(401);
  });

  it('refuses an expired, unknown or malformed challenge and malformed codes, changing nothing', async () => {
    const { user, app } = await enrolled();
    const challenge = await challengeFor(user);
    await MfaChallenge.update(
      { expiresAt: new Date(Date.now() - 1000) },
      { where: { tokenHash: crypto.createHash('sha256').update(challenge).digest('hex') } },
    );
    const code = await app.next();
    expect((await verify(challenge, code).expect(401)).body.error.code).toBe('invalid_mfa_challenge');
    expect((await verify(crypto.randomBytes(32).toString('base64url'), code).expect(401)).body.error.code).toBe('invalid_mfa_challenge');

    const fresh = await challengeFor(user);
    for (const bad of ['12345', '1234567', '12345a', ' 123456', 'abcd-efgh-jkmn-pqr', 'abcd-efgh-jkmn-pqri', '', 123456]) {
      await verify(fresh, bad as string).expect(400);
    }
    await stack.api
      .post('/api/v1/auth/mfa/verify')
      .send({ challenge: 'x'.repeat(5000), code })
      .expect(400);
    await stack.api.post('/api/v1/auth/mfa/verify').send({ challenge: fresh }).expect(400);
    // None of that counted against the challenge: it still signs in.
    await verify(fresh, code).expect(200);
  });

  it('regenerates recovery codes with a current code (the old ones stop working) and disables with a recovery code, audited', async () => {
    const { user, app, accessToken, recoveryCodes } = await enrolled('compliance_officer');
    const headers = auth(accessToken);
    await stack.api.post('/api/v1/auth/mfa/recovery-codes').set(headers).send({ code: recoveryCodes[0] }).expect(400);
    const regenerated = await stack.api
      .post('/api/v1/auth/mfa/recovery-codes')
      .set(headers)
      .send({ code: await app.next() })
      .expect(200);
    const fresh = regenerated.body.recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
    expect(await events(user, 'mfa.recovery_codes_regenerated')).toHaveLength(1);

    expect(
      (await stack.api.post('/api/v1/auth/mfa/disable').set(headers).send({ code: recoveryCodes[1] }).expect(400)).body.error.code,
    ).toBe('wrong_mfa_code');
    await stack.api.post('/api/v1/auth/mfa/disable').set(headers).send({ code: fresh[0] }).expect(204);
    expect(await UserMfa.findByPk(user.id)).toBeNull();
    expect(await MfaRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await events(user, 'mfa.disabled')).toEqual([
      expect.objectContaining({ actorId: user.id, changes: { proof: { before: null, after: 'recovery_code' } } }),
    ]);
    expect(await events(user, 'mfa.recovery_code_used')).toHaveLength(1);

    // Sign-in is one step again; disabling twice is a conflict.
    expect(Object.keys((await login(user).expect(200)).body).sort()).toEqual(['tokens', 'user']);
    await stack.api
      .post('/api/v1/auth/mfa/disable')
      .set(headers)
      .send({ code: await app.next() })
      .expect(409);
  });

  it('disables with a current code; a challenge issued before no longer signs in', async () => {
    const { user, app, accessToken } = await enrolled();
    const pending = await challengeFor(user);
    await stack.api
      .post('/api/v1/auth/mfa/disable')
      .set(auth(accessToken))
      .send({ code: await app.next() })
      .expect(204);
    expect((await verify(pending, await app.next()).expect(401)).body.error.code).toBe('invalid_mfa_challenge');
    expect(await events(user, 'mfa.disabled')).toEqual([expect.objectContaining({ changes: { proof: { before: null, after: 'totp' } } })]);
  });

  it('a challenge the old password answered signs in no more once the password has changed', async () => {
    const { user, app, accessToken } = await enrolled();
    // Whoever knew the old password (and can read the code) holds this challenge.
    const pending = await challengeFor(user);
    await stack.api
      .post('/api/v1/auth/password')
      .set(auth(accessToken))
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'Changed-Secret-77' })
      .expect(200);
    expect((await verify(pending, await app.next()).expect(401)).body.error.code).toBe('invalid_mfa_challenge');
    expect(await MfaChallenge.count({ where: { userId: user.id, usedAt: null } })).toBe(0);
  });

  it('an enrolment token the old password answered enrols and signs in no more once the account was deactivated and reactivated', async () => {
    const strict = await buildTenant({ name: 'Cautious Mutual' });
    const strictAdmin = await buildUser({ role: 'tenant_admin', tenantId: strict.id });
    const staff = await buildUser({ role: 'claims_agent', tenantId: strict.id });
    const asAdmin = { Authorization: bearer(stack.config, strictAdmin) };
    await stack.api.put('/api/v1/tenant/settings').set(asAdmin).send({ mfaRequiredForStaff: true }).expect(200);
    const { enrolmentToken } = (await login(staff).expect(200)).body as { enrolmentToken: string };
    await stack.api.patch(`/api/v1/users/${staff.id}`).set(asAdmin).send({ isActive: false }).expect(200);
    await stack.api.patch(`/api/v1/users/${staff.id}`).set(asAdmin).send({ isActive: true }).expect(200);
    const refused = await stack.api.post('/api/v1/auth/mfa/required-enrolment').send({ enrolmentToken }).expect(401);
    expect(refused.body.error.code).toBe('invalid_mfa_challenge');
    expect(await UserMfa.count({ where: { userId: staff.id } })).toBe(0);
  });

  it("a tenant admin removes a staff member's second factor only with proof they are there, audited, the staff member mailed; not another tenant's user's, a platform admin's, nor their own", async () => {
    const { user } = await enrolled();
    const other = await buildTenant({ name: 'Elsewhere Mutual' });
    const otherAdmin = await buildUser({ role: 'tenant_admin', tenantId: other.id });
    const manager = await buildUser({ role: 'claims_manager', tenantId: tenant.id });
    const platformAdmin = await buildUser({ role: 'platform_admin', tenantId: null });
    const signedIn = (caller: User) => ({ Authorization: signedInBearer(stack.config, caller) });
    const reset = (headers: Record<string, string>, id = user.id) => stack.api.delete(`/api/v1/users/${id}/mfa`).set(headers);
    const resetWith = (headers: Record<string, string>, body: object, id = user.id) =>
      stack.api.post(`/api/v1/users/${id}/mfa/reset`).set(headers).send(body);
    await reset(signedIn(otherAdmin)).expect(404);
    await reset(signedIn(admin), platformAdmin.id).expect(404);
    await reset(signedIn(manager)).expect(403);
    await reset(signedIn(admin), admin.id).expect(422);

    // A session alone (a refreshed one, a stolen one) does not take a colleague's second factor away.
    const session = (await login(admin).expect(200)).body as { tokens: { refreshToken: string } };
    const refreshed = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.tokens.refreshToken }).expect(200);
    const stolen = auth(refreshed.body.accessToken as string);
    expect((await reset(stolen).expect(403)).body.error.code).toBe('reauthentication_required');
    expect((await resetWith(stolen, {}).expect(403)).body.error.code).toBe('reauthentication_required');
    expect((await resetWith(stolen, { currentPassword: 'Not-The-Password-1' }).expect(400)).body.error.code).toBe('wrong_current_password');
    await waitUntil(
      async () => (await AuditEvent.count({ where: { entityId: admin.id, action: 'auth.sign_in_failed' } })) > 0,
      "the admin's wrong password on the record as a failed sign-in",
    );
    expect(await UserMfa.findByPk(user.id)).not.toBeNull();
    expect(await events(user, 'mfa.reset')).toEqual([]);

    await resetWith(stolen, { currentPassword: TEST_PASSWORD }).expect(204);
    expect(await MfaRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await events(user, 'mfa.reset')).toEqual([expect.objectContaining({ actorId: admin.id, tenantId: tenant.id })]);
    const told = await stack.smtp.waitFor((mail) => mail.to.includes(user.email) && /second factor/i.test(mail.subject));
    expect(told.text).toContain('administrator');
    expect(Object.keys((await login(user).expect(200)).body).sort()).toEqual(['tokens', 'user']);
    // Just signed in, the admin need not type the password again: past that proof, nothing is left to remove.
    await reset(signedIn(admin)).expect(409);
  });

  it('starts an enrolment only with proof the owner is there: a session alone (a refreshed one, a stolen one) is 403, a wrong password 400, nothing stored', async () => {
    const user = await buildUser({ role: 'adjuster', tenantId: tenant.id });
    const session = (await login(user).expect(200)).body as { tokens: { refreshToken: string } };
    // A session that goes on: its access tokens come from the refresh token, not from a sign-in.
    const refreshed = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.tokens.refreshToken }).expect(200);
    const headers = auth(refreshed.body.accessToken as string);
    const enrol = (body?: object) => stack.api.post('/api/v1/auth/mfa/enrolment').set(headers).send(body);

    const bare = await enrol().expect(403);
    expect(bare.body.error).toMatchObject({ code: 'reauthentication_required', details: [{ field: 'currentPassword' }] });
    const wrong = await enrol({ currentPassword: 'Not-The-Password-1' }).expect(400);
    expect(wrong.body.error.code).toBe('wrong_current_password');
    await enrol({ currentPassword: 'x'.repeat(129) }).expect(400);
    expect(await UserMfa.findByPk(user.id)).toBeNull();

    const started = await enrol({ currentPassword: TEST_PASSWORD }).expect(200);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect((await UserMfa.findByPk(user.id))?.enrolledAt).toBeNull();
  });

  it('counts a wrong password as a failed sign-in: a session guessing it is delayed (429) after five, on the record', async () => {
    const user = await buildUser({ role: 'adjuster', tenantId: tenant.id });
    const session = (await login(user).expect(200)).body as { tokens: { refreshToken: string } };
    const refreshed = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.tokens.refreshToken }).expect(200);
    const enrol = (currentPassword: string) =>
      stack.api
        .post('/api/v1/auth/mfa/enrolment')
        .set(auth(refreshed.body.accessToken as string))
        .send({ currentPassword });
    for (let i = 1; i <= 5; i++) await enrol(`Guess-${i}-wrong`).expect(400);
    // Delayed now, the right password too: a guesser learns nothing more.
    await enrol(TEST_PASSWORD).expect(429);
    expect(await UserMfa.findByPk(user.id)).toBeNull();
    await waitUntil(
      async () => (await AuditEvent.count({ where: { entityId: user.id, action: 'auth.sign_in_failed' } })) > 0,
      'the wrong passwords on the record as failed sign-ins',
    );
  });

  it('lets no policyholder enrol, and nobody without a session', async () => {
    const holder = await buildUser({ role: 'policyholder', tenantId: tenant.id });
    await stack.api.post('/api/v1/auth/mfa/enrolment').set('Authorization', bearer(stack.config, holder)).expect(403);
    expect(await UserMfa.findByPk(holder.id)).toBeNull();
    await stack.api.post('/api/v1/auth/mfa/enrolment').expect(401);
  });

  it('a tenant requiring a second factor makes its staff enrol before signing in; policyholders sign in as before', async () => {
    const strict = await buildTenant({ name: 'Strict Mutual' });
    const strictAdmin = await buildUser({ role: 'tenant_admin', tenantId: strict.id });
    const staff = await buildUser({ role: 'claims_agent', tenantId: strict.id });
    const holder = await buildUser({ role: 'policyholder', tenantId: strict.id });

    const set = await stack.api
      .put('/api/v1/tenant/settings')
      .set('Authorization', bearer(stack.config, strictAdmin))
      .send({ mfaRequiredForStaff: true })
      .expect(200);
    expect(set.body.mfaRequiredForStaff).toBe(true);
    const [change] = await AuditEvent.findAll({ where: { tenantId: strict.id, action: 'tenant_settings.update' } });
    expect(change.changes).toEqual({ mfaRequiredForStaff: { before: false, after: true } });

    const step = await login(staff).expect(200);
    expect(step.body).toEqual({ status: 'mfa_enrolment_required', enrolmentToken: expect.any(String), expiresIn: 600 });
    expect(await events(staff, 'mfa.enrolment_required')).toEqual([
      expect.objectContaining({ tenantId: strict.id, actorId: staff.id, category: 'authentication' }),
    ]);
    const { enrolmentToken } = step.body as { enrolmentToken: string };
    // It is no access token: nothing but enrolment takes it.
    await stack.api.get('/api/v1/auth/me').set(auth(enrolmentToken)).expect(401);
    await verify(enrolmentToken, '123456').expect(401);

    const started = await stack.api.post('/api/v1/auth/mfa/required-enrolment').send({ enrolmentToken }).expect(200);
    const app = new Authenticator(started.body.secret);
    const confirm = (code: string) => stack.api.post('/api/v1/auth/mfa/required-enrolment/confirm').send({ enrolmentToken, code });
    expect((await confirm(app.wrong()).expect(401)).body.error.code).toBe('wrong_mfa_code');
    const signedIn = await confirm(await app.next()).expect(200);
    expect(signedIn.body.user).toMatchObject({ id: staff.id });
    expect(signedIn.body.recoveryCodes).toHaveLength(10);
    await stack.api.get('/api/v1/auth/me').set(auth(signedIn.body.tokens.accessToken)).expect(200);
    expect(await events(staff, 'mfa.enrolled')).toHaveLength(1);
    // Used up.
    expect((await confirm(await app.next()).expect(401)).body.error.code).toBe('invalid_mfa_challenge');
    await stack.api.post('/api/v1/auth/mfa/required-enrolment').send({ enrolmentToken }).expect(401);

    // From now on the staff member signs in in two steps; the policyholder as before.
    await verify(await challengeFor(staff), await app.next()).expect(200);
    expect(Object.keys((await login(holder).expect(200)).body).sort()).toEqual(['tokens', 'user']);
    const status = await stack.api.get('/api/v1/auth/mfa').set(auth(signedIn.body.tokens.accessToken)).expect(200);
    expect(status.body).toMatchObject({ enrolled: true, required: true });
  });

  it("another tenant's admin cannot change the setting, and staff other than admins cannot either", async () => {
    const other = await buildTenant({ name: 'Other Mutual' });
    const otherAdmin = await buildUser({ role: 'tenant_admin', tenantId: other.id });
    await stack.api
      .put('/api/v1/tenant/settings')
      .set('Authorization', bearer(stack.config, otherAdmin))
      .send({ mfaRequiredForStaff: true })
      .expect(200);
    const manager = await buildUser({ role: 'claims_manager', tenantId: tenant.id });
    await stack.api
      .put('/api/v1/tenant/settings')
      .set('Authorization', bearer(stack.config, manager))
      .send({ mfaRequiredForStaff: true })
      .expect(403);
    await stack.api
      .put('/api/v1/tenant/settings')
      .set('Authorization', bearer(stack.config, admin))
      .send({ mfaRequiredForStaff: 'yes' })
      .expect(400);

    const mine = await stack.api.get('/api/v1/tenant/settings').set('Authorization', bearer(stack.config, admin)).expect(200);
    expect(mine.body.mfaRequiredForStaff).toBe(false);
    // Acme's staff still sign in with a password alone.
    const staff = await buildUser({ role: 'adjuster', tenantId: tenant.id });
    expect(Object.keys((await login(staff).expect(200)).body).sort()).toEqual(['tokens', 'user']);
  });

  it('never answers the secret again after enrolment, whatever is asked', async () => {
    const user = await buildUser({ role: 'senior_adjuster', tenantId: tenant.id });
    const headers = auth((await login(user).expect(200)).body.tokens.accessToken);
    const { secret } = (await stack.api.post('/api/v1/auth/mfa/enrolment').set(headers).expect(200)).body as { secret: string };
    const app = new Authenticator(secret);
    const answers = [
      await stack.api
        .post('/api/v1/auth/mfa/enrolment/confirm')
        .set(headers)
        .send({ code: await app.next() })
        .expect(200),
    ];
    const challenge = (await login(user).expect(200)).body.challenge as string;
    answers.push(await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }));
    answers.push(await verify(challenge, await app.next()).expect(200));
    answers.push(await stack.api.get('/api/v1/auth/mfa').set(headers));
    answers.push(await stack.api.get('/api/v1/auth/me').set(headers));
    answers.push(await stack.api.post('/api/v1/auth/mfa/enrolment').set(headers));
    answers.push(await stack.api.get(`/api/v1/users/${user.id}`).set('Authorization', bearer(stack.config, admin)));
    answers.push(await stack.api.get(`/api/v1/audit-events?entityId=${user.id}`).set('Authorization', bearer(stack.config, admin)));
    answers.push(await stack.api.get('/api/v1/audit-events').set('Authorization', bearer(stack.config, admin)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 409, 200, 200, 200]);
    for (const answer of answers) {
      expect(answer.text).not.toContain(secret);
    }
    expect(JSON.stringify(await AuditEvent.findAll({ where: { entityId: user.id } }))).not.toContain(secret);
  });
});

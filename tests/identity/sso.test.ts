/**
 * Company sign-in (OpenID Connect) for staff against a real Keycloak started by this file with a
 * realm imported from tests/fixtures/keycloak: the login form is driven without a browser, the
 * provider's redirect is handed to our callback by the agent that started the sign-in, which
 * keeps its cookies as a browser does. Covers the tenant admin's settings, the first
 * sign-in creating the staff member, a group change at the provider changing the role, and the
 * refusals: a tampered ID token (through a proxy that rewrites the token endpoint's answer), a
 * wrong nonce, an unmapped group, a disabled user (at the provider and in Insurflow), a replayed
 * callback, another tenant's client, and password sign-in for staff of an SSO-only tenant. And
 * who may take over an existing account: never through an address the provider has not verified,
 * only where the tenant allows it, keeping its role and its second factor (asked for unless the
 * provider asserts one); the client secret sealed in its row.
 */
import http from 'node:http';
import supertest from 'supertest';
import type { AddressInfo } from 'node:net';
import { generateSync } from '@otplib/totp';
import { Op, QueryTypes } from 'sequelize';
import { AuditEvent, SsoIdentity, Tenant, User } from '../../src/models';
import { emailHash } from '../../src/domain/identity/auth-events';
import { TOTP_PERIOD_SECONDS, TOTP_PLUGINS } from '../../src/services/totp';
import { bearer, buildTenant, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import {
  keycloakTool,
  KEYCLOAK_START_TIMEOUT_MS,
  signInAtKeycloak,
  startKeycloak,
  type LoginOutcome,
  type RunningKeycloak,
} from '../support/keycloak';
import { describeNeeding } from '../support/required-tool';
import { startTestStack, TestStack } from '../support/stack';
import { waitUntil } from '../support/waiting';

const keycloakInstall = keycloakTool();
const home = keycloakInstall.path;
// Skipped on a machine without Java or Maven, but never in CI, where every test fails naming Keycloak.
const describeWithKeycloak = (title: string, body: () => void) => describeNeeding(keycloakInstall, title, body);

/** The realm fixture's clients and users (tests/fixtures/keycloak/insurflow-realm.json). */
const ACME_CLIENT = { clientId: 'insurflow-acme', clientSecret: 'acme-client-secret-0123456789' };
const OTHER_CLIENT = { clientId: 'insurflow-other', clientSecret: 'other-client-secret-0123456789' };
/** Its ID tokens carry `amr: ["pwd", "otp"]` (a hard-coded claim): a provider asserting a one-time code. */
const MFA_CLIENT = { clientId: 'insurflow-mfa', clientSecret: 'mfa-client-secret-0123456789' };
const PASSWORDS: Record<string, string> = {
  ada: 'ada-password-1',
  max: 'max-password-1',
  cora: 'cora-password-1',
  olga: 'olga-password-1',
  dora: 'dora-password-1',
  paula: 'paula-password-1',
  nina: 'nina-password-1',
  ines: 'ines-password-1',
  ivan: 'ivan-password-1',
  // Added to the realm by the tests that need them.
  mallory: 'mallory-password-1',
  bea: 'bea-password-1',
  cleo: 'cleo-password-1',
  fay: 'fay-password-1',
  gil: 'gil-password-1',
};
const GROUP_ROLES = { 'claims-adjusters': 'adjuster', 'claims-managers': 'claims_manager' };

describeWithKeycloak('company sign-in (OpenID Connect) against Keycloak', () => {
  let keycloak: RunningKeycloak;
  let proxy: TamperingProxy;
  let stack: TestStack;
  let acme: Tenant;
  let other: Tenant;
  let proxied: Tenant;
  let admin: User;

  beforeAll(async () => {
    if (!home) return;
    [keycloak, stack] = await Promise.all([
      startKeycloak(home),
      // The realm's clients accept redirects to http://127.0.0.1/…, this API's public URL here; the
      // provider listens on loopback, which the provider guard lets through only with this switch.
      startTestStack({ env: { API_PUBLIC_URL: 'http://127.0.0.1', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } }),
    ]);
    proxy = await startTamperingProxy(new URL(keycloak.url));
    acme = await buildTenant({ name: 'Acme Insurance', slug: 'acme-sso' });
    other = await buildTenant({ name: 'Other Mutual', slug: 'other-sso' });
    proxied = await buildTenant({ name: 'Proxied Mutual', slug: 'proxied-sso' });
    admin = await buildUser({ tenantId: acme.id, role: 'tenant_admin', email: 'admin@acme-admins.test' });
    await configure(acme, { issuer: keycloak.issuer, ...ACME_CLIENT });
    await configure(other, { issuer: keycloak.issuer, ...OTHER_CLIENT });
    // Keycloak names its issuer after the host it is asked through: through the proxy, the proxy's.
    await configure(proxied, { issuer: `${proxy.url}/realms/${keycloak.realm}`, ...ACME_CLIENT });
  }, KEYCLOAK_START_TIMEOUT_MS);
  afterAll(async () => {
    await proxy?.close();
    await stack?.close();
    await keycloak?.stop();
  });

  async function configure(tenant: Tenant, provider: { issuer: string; clientId: string; clientSecret: string }, extra: object = {}) {
    const tenantAdmin = tenant.id === acme.id ? admin : await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    await stack.api
      .put('/api/v1/tenant/sso')
      .set('Authorization', signedInBearer(stack.config, tenantAdmin))
      .send({
        ...provider,
        allowedDomains: ['acme-insurance.test'],
        groupRoles: GROUP_ROLES,
        enabled: true,
        requiredForStaff: false,
        ...extra,
      })
      .expect(200);
  }

  /** Our start route's redirect: the provider's authorization URL. */
  async function start(tenant: Tenant): Promise<URL> {
    const res = await stack.api.get(`/api/v1/auth/sso/${tenant.slug}/start`).redirects(0).expect(302);
    return new URL(res.headers.location as string);
  }

  /** Signs `username` in at Keycloak from `authorizationUrl`; the redirect it answers must come. */
  async function atKeycloak(authorizationUrl: URL, username: string): Promise<URL> {
    const outcome: LoginOutcome = await signInAtKeycloak(authorizationUrl.href, username, PASSWORDS[username]);
    if (!('redirectedTo' in outcome)) throw new Error(`Keycloak refused ${username}: ${outcome.refusedWith.slice(0, 500)}`);
    return outcome.redirectedTo;
  }

  /** Our callback, from the browser (an agent keeping cookies, as `stack.api` does) that started the sign-in unless told otherwise. */
  const callback = (redirectedTo: URL, browser: supertest.Agent = stack.api) =>
    browser.get(`/api/v1/auth/sso/callback${redirectedTo.search}`);
  const setCookiesOf = (res: supertest.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

  /** The whole flow for `username` at `tenant`: our callback's answer. */
  async function signIn(tenant: Tenant, username: string) {
    return callback(await atKeycloak(await start(tenant), username));
  }

  it('keeps the settings for tenant admins only, never answers the secret, audits the change, refuses a platform_admin mapping', async () => {
    // As just signed in: setting the provider asks for the admin's presence.
    const asAdmin = { Authorization: signedInBearer(stack.config, admin) };
    const shown = await stack.api.get('/api/v1/tenant/sso').set(asAdmin).expect(200);
    expect(shown.body).toMatchObject({ issuer: keycloak.issuer, clientId: ACME_CLIENT.clientId, clientSecretSet: true, enabled: true });
    expect(JSON.stringify(shown.body)).not.toContain(ACME_CLIENT.clientSecret);
    const adjuster = await buildUser({ tenantId: acme.id, role: 'adjuster' });
    await stack.api.get('/api/v1/tenant/sso').set('Authorization', bearer(stack.config, adjuster)).expect(403);

    const valid = {
      issuer: keycloak.issuer,
      clientId: 'x',
      allowedDomains: ['acme-insurance.test'],
      groupRoles: GROUP_ROLES,
      enabled: true,
      requiredForStaff: false,
    };
    const platform = await stack.api
      .put('/api/v1/tenant/sso')
      .set(asAdmin)
      .send({ ...valid, groupRoles: { admins: 'platform_admin' } });
    expect(platform.status).toBe(400);
    const holder = await stack.api
      .put('/api/v1/tenant/sso')
      .set(asAdmin)
      .send({ ...valid, groupRoles: { everyone: 'policyholder' } });
    expect(holder.status).toBe(400);
    const plainHttp = await stack.api
      .put('/api/v1/tenant/sso')
      .set(asAdmin)
      .send({ ...valid, issuer: 'http://idp.example.com/realms/x' });
    expect(plainHttp.status).toBe(422);
    expect(plainHttp.body.error.details).toEqual([expect.objectContaining({ field: 'issuer' })]);
    const tooLong = await stack.api
      .put('/api/v1/tenant/sso')
      .set(asAdmin)
      .send({ ...valid, clientId: 'c'.repeat(201) });
    expect(tooLong.status).toBe(400);
    // None of the refused changes reached the row.
    expect((await stack.api.get('/api/v1/tenant/sso').set(asAdmin).expect(200)).body.clientId).toBe(ACME_CLIENT.clientId);

    const events = await AuditEvent.findAll({ where: { tenantId: acme.id, action: 'tenant_sso.update' } });
    expect(events).toHaveLength(1);
    expect(events[0].actorId).toBe(admin.id);
    expect(JSON.stringify(events[0].changes)).not.toContain(ACME_CLIENT.clientSecret);
  });

  it('starts with PKCE (S256), state and nonce; 404 for a tenant without company sign-in', async () => {
    const url = await start(acme);
    expect(url.href.startsWith(`${keycloak.issuer}/protocol/openid-connect/auth?`)).toBe(true);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: ACME_CLIENT.clientId,
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: 'http://127.0.0.1/api/v1/auth/sso/callback',
      state: expect.any(String),
      nonce: expect.any(String),
      code_challenge: expect.any(String),
    });
    const without = await buildTenant();
    await stack.api.get(`/api/v1/auth/sso/${without.slug}/start`).redirects(0).expect(404);
    await stack.api.get('/api/v1/auth/sso/no-such-tenant/start').redirects(0).expect(404);
  });

  it('creates the staff member on their first sign-in and answers Insurflow tokens that work', async () => {
    const res = await signIn(acme, 'ada');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.user).toMatchObject({
      email: 'ada@acme-insurance.test',
      role: 'adjuster',
      tenantId: acme.id,
      fullName: 'Ada Adjuster',
    });
    const me = await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.tokens.accessToken}`).expect(200);
    expect(me.body.email).toBe('ada@acme-insurance.test');
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: res.body.tokens.refreshToken }).expect(200);
    const signedIn = await AuditEvent.findAll({ where: { tenantId: acme.id, action: 'sso.sign_in', entityId: res.body.user.id } });
    expect(signedIn).toHaveLength(1);
    expect(await AuditEvent.count({ where: { action: 'user.create', entityId: res.body.user.id } })).toBe(1);
    // The creation is an authentication event too (docs/accounts.md), filed under `authentication` for the new account.
    const created = await AuditEvent.findAll({ where: { tenantId: acme.id, action: 'sso.account_create', entityId: res.body.user.id } });
    expect(created.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ category: 'authentication', actor: { type: 'user', id: res.body.user.id } }),
    ]);
  });

  it("ends a company sign-in's session at logout: that login's access token is refused at once, another sign-in's is not", async () => {
    const [ended, other] = [await signIn(acme, 'ada'), await signIn(acme, 'ada')];
    expect([ended.status, other.status]).toEqual([200, 200]);
    const bearerOf = (res: supertest.Response) => `Bearer ${res.body.tokens.accessToken}`;
    await stack.api.get('/api/v1/auth/me').set('Authorization', bearerOf(ended)).expect(200);
    await stack.api
      .post('/api/v1/auth/logout')
      .set('Authorization', bearerOf(ended))
      .send({ refreshToken: ended.body.tokens.refreshToken })
      .expect(204);
    await stack.api.get('/api/v1/auth/me').set('Authorization', bearerOf(ended)).expect(401);
    await stack.api.get('/api/v1/auth/me').set('Authorization', bearerOf(other)).expect(200);
  });

  it('creates one account when a person’s first two sign-ins finish at once, and signs both in', async () => {
    // Two tabs: both logins at the provider done before either callback reaches Insurflow.
    const [first, second] = await Promise.all([atKeycloak(await start(acme), 'nina'), atKeycloak(await start(acme), 'nina')]);
    const answers = await Promise.all([callback(first), callback(second)]);
    expect(answers.map((res) => res.status)).toEqual([200, 200]);
    expect(answers[0].body.user.id).toBe(answers[1].body.user.id);
    expect(await User.count({ where: { email: 'nina@acme-insurance.test' } })).toBe(1);
    expect(await AuditEvent.count({ where: { action: 'user.create', entityId: answers[0].body.user.id } })).toBe(1);
    // The losing sign-in's creation rolled back with its account: one creation on the record.
    expect(await AuditEvent.count({ where: { action: 'sso.account_create', entityId: answers[0].body.user.id } })).toBe(1);
    expect(await AuditEvent.count({ where: { action: 'sso.sign_in', entityId: answers[0].body.user.id } })).toBe(2);
  });

  it('knows a person by their identity at the provider, not by the address it gives', async () => {
    const first = await signIn(acme, 'ines');
    expect(first.status).toBe(200);
    // Ines's address changes in the directory, and Ivan is given the one she had.
    await keycloak.setEmail('ines', 'ines.renamed@acme-insurance.test');
    await keycloak.setEmail('ivan', 'ines@acme-insurance.test');
    const again = await signIn(acme, 'ines');
    expect(again.status).toBe(200);
    expect(again.body.user).toMatchObject({ id: first.body.user.id, email: 'ines@acme-insurance.test' });

    const impostor = await signIn(acme, 'ivan');
    expect(impostor.status).toBe(403);
    expect(impostor.body.error.code).toBe('sso_account_conflict');
    expect(impostor.body.tokens).toBeUndefined();
    expect(await User.count({ where: { tenantId: acme.id, fullName: 'Ivan Impostor' } })).toBe(0);
    const refusalOfIvan = {
      tenantId: acme.id,
      action: 'sso.sign_in_failed',
      reason: 'sso_account_conflict',
      entityId: emailHash('ines@acme-insurance.test'),
    };
    await waitUntil(async () => (await AuditEvent.count({ where: refusalOfIvan })) === 1, 'the refusal on the record');
  });

  it('updates the role on the next sign-in after a group change at the provider', async () => {
    await keycloak.setGroups('max', ['claims-adjusters']);
    const first = await signIn(acme, 'max');
    expect(first.status).toBe(200);
    expect(first.body.user.role).toBe('adjuster');
    await keycloak.setGroups('max', ['claims-managers']);
    const second = await signIn(acme, 'max');
    expect(second.status).toBe(200);
    expect(second.body.user).toMatchObject({ id: first.body.user.id, role: 'claims_manager' });
    expect((await User.findByPk(first.body.user.id))?.role).toBe('claims_manager');
    // The sessions issued for the old role end with the change; the one it opens works at once.
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: first.body.tokens.refreshToken }).expect(401);
    const me = await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${second.body.tokens.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ id: first.body.user.id, role: 'claims_manager' });
    const change = await AuditEvent.findOne({ where: { action: 'user.role_change', entityId: first.body.user.id } });
    expect(change?.changes.role).toEqual({ before: 'adjuster', after: 'claims_manager' });
  });

  it('keeps the tenant admin role a group change at the provider would take from the last active admin, and applies it once another admin is active', async () => {
    await keycloak.createUser({
      username: 'gil',
      password: PASSWORDS.gil,
      email: 'gil@acme-insurance.test',
      emailVerified: true,
      firstName: 'Gil',
      lastName: 'Gatekeeper',
      groups: ['claims-managers'],
    });
    const solo = await buildTenant({ name: 'Solo Mutual', slug: 'solo-sso' });
    await configure(
      solo,
      { issuer: keycloak.issuer, ...ACME_CLIENT },
      { groupRoles: { ...GROUP_ROLES, 'claims-managers': 'tenant_admin' } },
    );
    const first = await signIn(solo, 'gil');
    expect(first.status).toBe(200);
    expect(first.body.user.role).toBe('tenant_admin');
    // The admin who configured it leaves: Gil is the tenant's last active admin.
    const configuringAdmin = await User.findOne({
      where: { tenantId: solo.id, role: 'tenant_admin', id: { [Op.ne]: first.body.user.id } },
      rejectOnEmpty: true,
    });
    const asGil = { Authorization: `Bearer ${first.body.tokens.accessToken}` };
    await stack.api.patch(`/api/v1/users/${configuringAdmin.id}`).set(asGil).send({ isActive: false }).expect(200);

    await keycloak.setGroups('gil', ['claims-adjusters']);
    const kept = await signIn(solo, 'gil');
    expect(kept.status).toBe(200);
    expect(kept.body.user.role).toBe('tenant_admin');
    expect((await User.findByPk(first.body.user.id))!.role).toBe('tenant_admin');
    expect(await AuditEvent.count({ where: { action: 'user.role_change', entityId: first.body.user.id } })).toBe(0);

    // Another admin active again: the provider's group applies at the next sign-in.
    await stack.api
      .patch(`/api/v1/users/${configuringAdmin.id}`)
      .set({ Authorization: `Bearer ${kept.body.tokens.accessToken}` })
      .send({ isActive: true })
      .expect(200);
    const demoted = await signIn(solo, 'gil');
    expect(demoted.status).toBe(200);
    expect(demoted.body.user.role).toBe('adjuster');
  });

  it('refuses a replayed callback (same state and code)', async () => {
    const redirectedTo = await atKeycloak(await start(acme), 'ada');
    await callback(redirectedTo).expect(200);
    const replay = await callback(redirectedTo);
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('sso_state_invalid');
    await callback(new URL('http://127.0.0.1/cb?state=forged&code=x')).expect(400);
  });

  it('binds the sign-in to the browser that started it: a callback without its cookie, or with another, is refused and creates nothing', async () => {
    await keycloak.createUser({
      username: 'fay',
      password: PASSWORDS.fay,
      email: 'fay@acme-insurance.test',
      emailVerified: true,
      firstName: 'Fay',
      lastName: 'Fixated',
      groups: ['claims-adjusters'],
    });
    const started = await stack.api.get(`/api/v1/auth/sso/${acme.slug}/start`).redirects(0).expect(302);
    const [bound] = setCookiesOf(started);
    expect(bound).toMatch(
      /^sso_[0-9a-f]{16}=[A-Za-z0-9_-]{43}; path=\/api\/v1\/auth\/sso\/callback; expires=[^;]+; samesite=lax; httponly$/,
    );
    // Someone else's browser, holding the callback's code and state (a link sent to the victim, a log line).
    const redirectedTo = await atKeycloak(new URL(started.headers.location as string), 'fay');
    const foreign = await callback(redirectedTo, supertest.agent(stack.app.callback()));
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.code).toBe('sso_browser_mismatch');
    expect(foreign.body.tokens).toBeUndefined();
    // Taken by the refused callback: the browser that started it cannot finish it either.
    expect((await callback(redirectedTo)).body.error.code).toBe('sso_state_invalid');

    const another = await stack.api.get(`/api/v1/auth/sso/${acme.slug}/start`).redirects(0).expect(302);
    const cookieName = setCookiesOf(another)[0].split('=')[0];
    const guessed = await callback(
      await atKeycloak(new URL(another.headers.location as string), 'fay'),
      supertest.agent(stack.app.callback()),
    ).set('Cookie', `${cookieName}=${'A'.repeat(43)}`);
    expect(guessed.body.error.code).toBe('sso_browser_mismatch');
    expect(await User.count({ where: { email: 'fay@acme-insurance.test' } })).toBe(0);
    // Failures are counted into one row a minute (src/domain/identity/auth-events.ts).
    const mismatches = { tenantId: acme.id, action: 'sso.sign_in_failed', reason: 'sso_browser_mismatch' };
    await waitUntil(async () => (await AuditEvent.sum('occurrences', { where: mismatches })) === 2, 'the refusals on the record');

    // In the browser that started it, the sign-in finishes and its cookie is cleared.
    const own = await callback(await atKeycloak(await start(acme), 'fay')).expect(200);
    expect(own.body.user).toMatchObject({ email: 'fay@acme-insurance.test', role: 'adjuster' });
    expect(setCookiesOf(own)).toEqual([
      expect.stringMatching(/^sso_[0-9a-f]{16}=; path=\/api\/v1\/auth\/sso\/callback; expires=Thu, 01 Jan 1970/),
    ]);
  });

  it('refuses a code issued to another tenant’s client', async () => {
    const acmeStart = await start(acme);
    const otherRedirect = await atKeycloak(await start(other), 'ada');
    const mixed = new URLSearchParams(otherRedirect.search);
    mixed.set('state', acmeStart.searchParams.get('state')!);
    const res = await stack.api.get(`/api/v1/auth/sso/callback?${mixed}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('sso_token_invalid');
    expect(await User.count({ where: { tenantId: other.id, email: 'ada@acme-insurance.test' } })).toBe(0);
    // Failed sign-ins are counted and written within a second (src/domain/identity/auth-events.ts).
    await waitUntil(
      async () =>
        (await AuditEvent.count({ where: { tenantId: acme.id, action: 'sso.sign_in_failed', reason: 'sso_token_invalid' } })) >= 1,
      'the refused sign-in on the record',
    );
  });

  it('refuses an ID token whose nonce is not the one the sign-in started with', async () => {
    const url = await start(acme);
    url.searchParams.set('nonce', 'a-nonce-the-attacker-chose');
    const res = await callback(await atKeycloak(url, 'ada'));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('sso_token_invalid');
  });

  it('refuses a tampered ID token (its signature no longer matches), though the same path signs in untouched', async () => {
    const untouched = await signIn(proxied, 'olga');
    // olga's domain is not allowed: the proxied path works up to the domain check.
    expect(untouched.body.error.code).toBe('sso_domain_not_allowed');
    proxy.rewriteIdToken = (claims) => ({ ...claims, email: 'olga@acme-insurance.test' });
    try {
      const tampered = await signIn(proxied, 'olga');
      expect(tampered.status).toBe(401);
      expect(tampered.body.error.code).toBe('sso_token_invalid');
      expect(proxy.rewritten).toBeGreaterThan(0);
    } finally {
      proxy.rewriteIdToken = undefined;
    }
    expect(await User.count({ where: { email: 'olga@acme-insurance.test' } })).toBe(0);
  });

  it('refuses a user none of whose groups is mapped, with a clear code, and records why', async () => {
    const res = await signIn(acme, 'cora');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('sso_group_unmapped');
    expect(await User.count({ where: { email: 'cora@acme-insurance.test' } })).toBe(0);
    const refusalOfCora = {
      tenantId: acme.id,
      action: 'sso.sign_in_failed',
      reason: 'sso_group_unmapped',
      entityId: emailHash('cora@acme-insurance.test'),
    };
    await waitUntil(
      async () => (await AuditEvent.count({ where: refusalOfCora })) === 1,
      'the refusal, with why and for which address, on the record',
    );
  });

  it('refuses a user disabled at the provider (Keycloak) and one deactivated in Insurflow', async () => {
    await keycloak.setEnabled('dora', false);
    const outcome = await signInAtKeycloak((await start(acme)).href, 'dora', PASSWORDS.dora);
    expect(outcome).toEqual({ refusedWith: expect.stringContaining('disabled') });
    expect(await User.count({ where: { email: 'dora@acme-insurance.test' } })).toBe(0);

    const ada = await User.findOne({ where: { email: 'ada@acme-insurance.test' }, rejectOnEmpty: true });
    await ada.update({ isActive: false });
    try {
      const res = await signIn(acme, 'ada');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('sso_user_disabled');
    } finally {
      await ada.update({ isActive: true });
    }
  });

  it('never takes over a policyholder’s account or another tenant’s, whatever the provider says', async () => {
    const holder = await buildUser({ tenantId: acme.id, role: 'policyholder', email: 'paula@acme-insurance.test' });
    const asHolder = await signIn(acme, 'paula');
    expect(asHolder.status).toBe(403);
    expect(asHolder.body.error.code).toBe('sso_account_conflict');
    expect((await User.findByPk(holder.id))?.role).toBe('policyholder');
    await holder.update({ tenantId: other.id, role: 'adjuster' });
    const elsewhere = await signIn(acme, 'paula');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe('sso_account_conflict');
    expect(await User.count({ where: { email: 'paula@acme-insurance.test' } })).toBe(1);
  });

  it('refuses password sign-in to staff of a tenant that requires company sign-in, not to its policyholders', async () => {
    const staff = await buildUser({ tenantId: acme.id, role: 'claims_agent' });
    const holder = await buildUser({ tenantId: acme.id, role: 'policyholder' });
    await stack.api.post('/api/v1/auth/login').send({ email: staff.email, password: TEST_PASSWORD }).expect(200);
    await configure(acme, { issuer: keycloak.issuer, ...ACME_CLIENT }, { requiredForStaff: true });
    try {
      const refused = await stack.api.post('/api/v1/auth/login').send({ email: staff.email, password: TEST_PASSWORD });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('sso_required');
      // A wrong password still says only that it is wrong.
      await stack.api.post('/api/v1/auth/login').send({ email: staff.email, password: 'not-the-password' }).expect(401);
      await stack.api.post('/api/v1/auth/login').send({ email: holder.email, password: TEST_PASSWORD }).expect(200);
      expect((await signIn(acme, 'ada')).status).toBe(200);
    } finally {
      await configure(acme, { issuer: keycloak.issuer, ...ACME_CLIENT }, { requiredForStaff: false });
    }
  });

  it('keeps the client secret sealed in its row, and signs in with it', async () => {
    const [row] = await stack.db.sequelize.query<{ text: string }>(
      'SELECT row_to_json(t)::text AS text FROM tenant_sso t WHERE tenant_id = $1',
      {
        bind: [acme.id],
        type: QueryTypes.SELECT,
      },
    );
    expect(row.text).toContain('"client_secret_sealed":"v1.');
    expect(row.text).not.toContain(ACME_CLIENT.clientSecret);
    expect((await signIn(acme, 'ada')).status).toBe(200);
  });

  /** Enrols `user` in a second factor through the API (a password sign-in first): codes of later steps sign in. */
  async function enrolTotp(user: User): Promise<{ laterCode: () => string }> {
    const session = await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    const auth = { Authorization: `Bearer ${session.body.tokens.accessToken}` };
    const { secret } = (await stack.api.post('/api/v1/auth/mfa/enrolment').set(auth).expect(200)).body as { secret: string };
    const step = () => Math.floor(Date.now() / 1000 / TOTP_PERIOD_SECONDS);
    const codeAt = (at: number) => generateSync({ ...TOTP_PLUGINS, secret, epoch: at * TOTP_PERIOD_SECONDS });
    // Enrolled with a code of the step before or this one; the server takes one step either side,
    // so the next step's code is one it has not seen and still takes.
    const early = (Date.now() / 1000) % TOTP_PERIOD_SECONDS < 20;
    await stack.api
      .post('/api/v1/auth/mfa/enrolment/confirm')
      .set(auth)
      .send({ code: codeAt(early ? step() - 1 : step()) })
      .expect(200);
    return { laterCode: () => codeAt(step() + 1) };
  }

  const linksOf = (user: User) => SsoIdentity.findAll({ where: { userId: user.id } });

  it('never links an account through an address the provider has not verified, even where linking is allowed', async () => {
    const boss = await buildUser({ tenantId: acme.id, role: 'tenant_admin', email: 'boss@acme-insurance.test' });
    await keycloak.createUser({
      username: 'mallory',
      password: PASSWORDS.mallory,
      email: 'boss@acme-insurance.test',
      emailVerified: false,
      firstName: 'Mallory',
      lastName: 'Mimic',
      groups: ['claims-adjusters'],
    });
    await configure(acme, { issuer: keycloak.issuer, ...ACME_CLIENT }, { linkExistingAccounts: true });
    try {
      const res = await signIn(acme, 'mallory');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('sso_email_unverified');
      expect(res.body.tokens).toBeUndefined();
    } finally {
      await configure(acme, { issuer: keycloak.issuer, ...ACME_CLIENT });
    }
    // No link, no other account, the admin still an admin.
    expect(await linksOf(boss)).toHaveLength(0);
    expect(await User.count({ where: { email: 'boss@acme-insurance.test' } })).toBe(1);
    expect((await User.findByPk(boss.id))?.role).toBe('tenant_admin');
    const refusal = {
      tenantId: acme.id,
      action: 'sso.sign_in_failed',
      reason: 'sso_email_unverified',
      entityId: emailHash('boss@acme-insurance.test'),
    };
    await waitUntil(async () => (await AuditEvent.count({ where: refusal })) === 1, 'the refusal on the record');
  });

  it('takes over an existing account by its verified address only where the tenant allows it, keeps its role, and asks for its second factor', async () => {
    const bea = await buildUser({ tenantId: acme.id, role: 'tenant_admin', email: 'bea@acme-insurance.test' });
    const authenticator = await enrolTotp(bea);
    // Her groups map to adjuster: they must not make the tenant admin one.
    await keycloak.createUser({
      username: 'bea',
      password: PASSWORDS.bea,
      email: 'bea@acme-insurance.test',
      emailVerified: true,
      firstName: 'Bea',
      lastName: 'Boss',
      groups: ['claims-adjusters'],
    });
    const notAllowed = await signIn(acme, 'bea');
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.error.code).toBe('sso_link_not_allowed');
    expect(await linksOf(bea)).toHaveLength(0);

    await configure(acme, { issuer: keycloak.issuer, ...ACME_CLIENT }, { linkExistingAccounts: true });
    try {
      const first = await signIn(acme, 'bea');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ status: 'mfa_required', challenge: expect.any(String), expiresIn: expect.any(Number) });
      expect(await linksOf(bea)).toEqual([expect.objectContaining({ issuer: keycloak.issuer, roleFromGroups: false })]);
      expect(await AuditEvent.count({ where: { action: 'sso.account_link', entityId: bea.id } })).toBe(1);

      const session = await stack.api
        .post('/api/v1/auth/mfa/verify')
        .send({ challenge: first.body.challenge, code: authenticator.laterCode() })
        .expect(200);
      expect(session.body.user).toMatchObject({ id: bea.id, role: 'tenant_admin' });
      await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${session.body.tokens.accessToken}`).expect(200);

      // Every later company sign-in asks again, and the groups still leave her role alone.
      const again = await signIn(acme, 'bea');
      expect(again.body.status).toBe('mfa_required');
      expect((await User.findByPk(bea.id))?.role).toBe('tenant_admin');
    } finally {
      await configure(acme, { issuer: keycloak.issuer, ...ACME_CLIENT });
    }
  });

  it('signs a linked account with a second factor in at once when the provider asserts one (amr "otp")', async () => {
    const asserting = await buildTenant({ name: 'Asserting Mutual', slug: 'asserting-sso' });
    await configure(asserting, { issuer: keycloak.issuer, ...MFA_CLIENT }, { linkExistingAccounts: true });
    const cleo = await buildUser({ tenantId: asserting.id, role: 'claims_manager', email: 'cleo@acme-insurance.test' });
    await enrolTotp(cleo);
    await keycloak.createUser({
      username: 'cleo',
      password: PASSWORDS.cleo,
      email: 'cleo@acme-insurance.test',
      emailVerified: true,
      firstName: 'Cleo',
      lastName: 'Claims',
      groups: ['claims-managers'],
    });
    const res = await signIn(asserting, 'cleo');
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: cleo.id, role: 'claims_manager' });
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.tokens.accessToken}`).expect(200);
  });
});

interface TamperingProxy {
  url: string;
  /** When set, the token endpoint's ID token reaches the client with these claims instead, its signature unchanged. */
  rewriteIdToken?: (claims: Record<string, unknown>) => Record<string, unknown>;
  rewritten: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of Keycloak, passing the Host header on so Keycloak names the proxy as
 * its issuer; it can rewrite the claims of the ID token in the token endpoint's answers (an
 * attacker between us and the provider), leaving the signature as it was.
 */
async function startTamperingProxy(target: URL): Promise<TamperingProxy> {
  const state: TamperingProxy = { url: '', rewritten: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const rewrite = state.rewriteIdToken;
        if (!rewrite || !req.url?.endsWith('/protocol/openid-connect/token')) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id_token?: string };
          if (body.id_token) {
            const [header, payload, signature] = body.id_token.split('.');
            const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
            body.id_token = [header, Buffer.from(JSON.stringify(rewrite(claims))).toString('base64url'), signature].join('.');
            state.rewritten += 1;
          }
          const text = JSON.stringify(body);
          const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(text);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

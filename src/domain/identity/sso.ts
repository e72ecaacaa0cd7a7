/**
 * Company sign-in for staff (docs/accounts.md, Company sign-in): the authorization code flow with
 * PKCE, state and nonce against the tenant's OpenID provider. The sign-in under way is kept
 * server-side (src/models/sso-login.ts), bound to its tenant and to the browser that started it
 * (the nonce is the hash of a key that browser holds in a cookie, OpenID Connect Core 15.5.2), and
 * used once; the ID token is checked
 * by openid-client (src/services/sso/provider.ts), every request to the provider through the
 * address guard. Only an address the provider says is verified signs in. A staff member is
 * created on their first sign-in and given the role their groups map to on each (but the tenant's
 * last active admin keeps theirs); an account that
 * existed before is taken over only where the tenant allows it, and keeps its role. An account
 * with a second factor (or whose tenant requires one) is asked for it, as after a password,
 * unless the provider says it proved one; Insurflow then issues its own tokens.
 */
import crypto from 'node:crypto';
import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import { SsoIdentity, SsoLogin, Tenant, TenantSso, User } from '../../models';
import { recordAudit } from '../audit/record';
import { recordAuthEvent, type SsoRefusalReason } from './auth-events';
import { hashPassword } from '../../services/passwords';
import { pauseDefinitionsOwnedBy } from '../reports/owner-eligibility';
import { providerFor, type ProviderAccess } from '../../services/sso/provider';
import { providerFailureOf } from '../../services/sso/provider-fetch';
import { revokeAllSessions, type TokenPair } from '../../services/tokens';
import { webhookGuardOf } from '../../services/webhook';
import { ApiError, dependencyUnavailable, notFound } from '../../shared/errors';
import { roleMay } from '../../access/verbs';
import type { Role } from '../../shared/roles';
import { wellFormedAddress } from '../../shared/email-address';
import { asOneLine, ONE_LINE_PATTERN } from '../../shared/one-line-text';
import type { CommandDeps, PublicCommand } from '../command';
import { syncAudience } from '../compliance/audience';
import { isLastActiveAdmin, removesAdmin } from '../users/tenant-admins';
import { secondStepOf, type SignInStep } from './mfa';
import { ownerDeps, startSession } from './sessions';

/** How long a started sign-in may take at the provider before its callback is refused. */
export const SSO_LOGIN_TTL_MS = 10 * 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

/** The nonce of a sign-in started by the browser holding `browserKey`: only that browser can name it again. */
const nonceOf = (browserKey: string) => crypto.createHash('sha256').update(browserKey).digest('base64url');

/** Where the provider sends the browser back: the callback route of this API. */
const callbackUrl = (deps: CommandDeps) => `${deps.config.api.publicUrl}/api/v1/auth/sso/callback`;

/** A refused company sign-in: its code says why (the API answers it, the audit trail records it). */
export class SsoRefused extends ApiError {
  declare readonly code: SsoRefusalReason;
}

const refused = (status: number, code: SsoRefusalReason, message: string) => new SsoRefused(status, code, message);

/**
 * `amr` values (RFC 8176) that say the person proved a second factor at the provider: several
 * factors (`mfa`), a one-time code (`otp`), a hardware-bound key (`hwk`). Others (`pwd`, `sms`,
 * `swk`…) do not stand for the TOTP code Insurflow would ask.
 */
export const SECOND_FACTOR_AMR: readonly string[] = ['mfa', 'otp', 'hwk'];

/** Whether the ID token says a second factor was proven: an `amr` of SECOND_FACTOR_AMR, or an `acr` the tenant counts as one. */
export function secondFactorAsserted(claims: Record<string, unknown>, sso: Pick<TenantSso, 'mfaAcrValues'>): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  if (amr.some((method) => typeof method === 'string' && SECOND_FACTOR_AMR.includes(method))) return true;
  return typeof claims.acr === 'string' && sso.mfaAcrValues.includes(claims.acr);
}

/** The key the tenant's client secret is sealed with and the address guard its provider is reached through. */
const providerAccess = (deps: CommandDeps): ProviderAccess => ({ jwt: deps.config.jwt, guard: webhookGuardOf(deps.config) });

/**
 * The provider could not be reached (refused by the address guard, down, too slow) or answered
 * no usable discovery: an outage of a dependency (503), logged with its cause.
 */
function providerUnavailable(deps: CommandDeps, tenantId: string, err: unknown): ApiError {
  deps.logger.warn({ err, tenantId, category: providerFailureOf(err)?.category }, 'company sign-in: the identity provider is unavailable');
  return dependencyUnavailable('identity_provider');
}

/** The tenant's provider client, or 503 when the provider cannot be reached. */
async function clientOf(deps: CommandDeps, sso: TenantSso) {
  return providerFor(sso, providerAccess(deps)).catch((err: unknown) => {
    throw providerUnavailable(deps, sso.tenantId, err);
  });
}

/** The tenant's enabled company sign-in, by slug or id; 404 for an unknown or inactive tenant or one without it. */
async function enabledSsoOf(tenantSlugOrId: string): Promise<{ tenant: Tenant; sso: TenantSso }> {
  const tenant = await Tenant.findOne({
    where: UUID.test(tenantSlugOrId) ? { id: tenantSlugOrId } : { slug: tenantSlugOrId.toLowerCase() },
  });
  const sso = tenant && tenant.status === 'active' ? await TenantSso.findByPk(tenant.id) : null;
  if (!tenant || !sso?.enabled) throw notFound('Company sign-in');
  return { tenant, sso };
}

export interface StartedSso {
  /** The provider's authorization URL to send the browser to. */
  authorizationUrl: string;
  state: string;
  /** The key the browser must keep (in a cookie) and bring to the callback: without it, the sign-in cannot finish. */
  browserKey: string;
}

/** Starts a company sign-in, bound to the browser that will hold `browserKey`. */
export const startSso: PublicCommand<{ tenant: string }, StartedSso> = async ({ tenant: slugOrId }, deps) => {
  const { tenant, sso } = await enabledSsoOf(slugOrId);
  const { client, configuration } = await clientOf(deps, sso);
  const state = client.randomState();
  const browserKey = crypto.randomBytes(32).toString('base64url');
  const nonce = nonceOf(browserKey);
  const codeVerifier = client.randomPKCECodeVerifier();
  // Expired sign-ins of the tenant go as new ones come: the table holds only the last few minutes.
  await SsoLogin.destroy({ where: { tenantId: tenant.id, expiresAt: { [Op.lt]: new Date() } } });
  await SsoLogin.create({
    stateHash: sha256(state),
    tenantId: tenant.id,
    nonce,
    codeVerifier,
    expiresAt: new Date(Date.now() + SSO_LOGIN_TTL_MS),
  });
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: callbackUrl(deps),
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { authorizationUrl: url.href, state, browserKey };
};

/**
 * Refuses (401 sso_browser_mismatch) a callback from a browser other than the one that started
 * the sign-in: whoever holds a callback's code and state (a link sent to a victim to sign them in
 * as someone else, or one read from a log) cannot finish it elsewhere.
 */
function assertSameBrowser(login: SsoLogin, browserKey: string | undefined): void {
  const expected = Buffer.from(login.nonce);
  const given = Buffer.from(browserKey ? nonceOf(browserKey) : '');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
    throw refused(
      401,
      'sso_browser_mismatch',
      'This sign-in was started in another browser, or this browser no longer has its cookie; start again from this browser',
    );
}

/** Takes the sign-in that `state` names, once: a second callback with the same state finds nothing. */
async function takeLogin(state: string): Promise<SsoLogin> {
  const stateHash = sha256(state);
  const login = await SsoLogin.findByPk(stateHash);
  // Whoever deletes the row owns the sign-in; a concurrent replay deletes nothing.
  const taken = login ? await SsoLogin.destroy({ where: { stateHash } }) : 0;
  if (!login || taken !== 1 || login.expiresAt.getTime() < Date.now()) {
    throw refused(400, 'sso_state_invalid', 'This sign-in is unknown, expired or already used; start again');
  }
  return login;
}

interface ProvenIdentity {
  /** Who the person is at the provider: its issuer and their `sub`, which outlive an address change. */
  issuer: string;
  subject: string;
  email: string;
  fullName: string;
  role: Role;
}

/** The ID token's `sub`: present in every verified token, at most 255 ASCII characters (OpenID Connect Core 2). */
function subjectOf(claims: Record<string, unknown>): string {
  const { sub } = claims;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255 || !/^[\x21-\x7e]+$/.test(sub))
    throw refused(401, 'sso_token_invalid', 'The identity provider’s answer could not be verified; start again');
  return sub;
}

/**
 * The name the ID token gives, as one line of printable text (docs/api.md): a directory's display
 * name, which the person may have set themselves, goes into mails, PDFs and exports. Made one line
 * (what one line leaves out becomes a space, as for an imported file's text) rather than refused:
 * the person did not type it here, and a cosmetic field at the provider should not lock them out.
 * Where nothing of it shows, the address stands for it.
 */
function fullNameOf(claims: Record<string, unknown>, email: string): string {
  const name = typeof claims.name === 'string' ? asOneLine(claims.name).slice(0, 200).trim() : '';
  return ONE_LINE_PATTERN.test(name) ? name : email;
}

/**
 * What the ID token's claims allow: a well-formed address (as every route takes one) the provider
 * says is verified (`email_verified` the JSON boolean true: absent, or the string "true" some
 * providers send, is not), of an allowed domain, and exactly one staff role from its groups.
 */
export function identityFrom(
  claims: Record<string, unknown>,
  sso: Pick<TenantSso, 'issuer' | 'allowedDomains' | 'groupRoles'>,
): ProvenIdentity {
  if (typeof claims.email !== 'string' || !claims.email.trim())
    throw refused(403, 'sso_email_missing', 'The identity provider gave no e-mail address');
  const email = wellFormedAddress(claims.email);
  if (!email) throw refused(403, 'sso_email_invalid', 'The identity provider gave an e-mail address that is not a valid one');
  if (claims.email_verified !== true)
    throw refused(
      403,
      'sso_email_unverified',
      'The identity provider has not verified your e-mail address: verify it there, or ask your administrator',
    );
  // After the address's '@', which a well-formed address has: a string without one is refused above, never taken whole as a domain.
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (!sso.allowedDomains.includes(domain))
    throw refused(403, 'sso_domain_not_allowed', `Addresses at ${domain} may not sign in to this tenant`);
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
  const roles = [...new Set(groups.flatMap((group) => (sso.groupRoles[group] ? [sso.groupRoles[group]] : [])))];
  if (roles.length === 0)
    throw refused(
      403,
      'sso_group_unmapped',
      'None of your groups at the identity provider gives a role in Insurflow; ask your administrator',
    );
  if (roles.length > 1)
    throw refused(403, 'sso_role_ambiguous', `Your groups give several roles (${roles.join(', ')}); ask your administrator to keep one`);
  // Mapped roles are staff roles (checked when the mapping is saved); checked again where it decides.
  if (!roleMay(roles[0], 'signInWithSso')) throw refused(403, 'sso_group_unmapped', 'The mapped role is not a staff role');
  return { issuer: sso.issuer, subject: subjectOf(claims), email, fullName: fullNameOf(claims, email), role: roles[0] };
}

/**
 * The staff member the identity names, created on their first sign-in (their role from their
 * groups on each sign-in, unless that demotes the tenant's last active admin; a change ending
 * their other sessions and pausing the saved reports the new role may not own, as an admin's
 * change does). An account of the tenant that already has the
 * address is taken over only where the tenant allows it (`linkExistingAccounts`), and keeps the
 * role a tenant admin gave it. Refused: an address of another tenant or of a policyholder, an
 * account linked to another person at the provider, a deactivated user.
 */
async function signInUser(sso: TenantSso, identity: ProvenIdentity, deps: CommandDeps, transaction: Transaction) {
  const { tenantId } = sso;
  const { issuer, subject, ...person } = identity;
  const lock = transaction.LOCK.UPDATE;
  const linked = await SsoIdentity.findOne({ where: { issuer, subject }, transaction });
  // A linked person keeps their account whatever address the provider gives now.
  const existing = linked
    ? await User.findByPk(linked.userId, { transaction, lock })
    : await User.findOne({ where: { email: person.email }, transaction, lock });
  const conflict = () => refused(403, 'sso_account_conflict', 'This address belongs to an account that company sign-in cannot use');
  if (existing && (existing.tenantId !== tenantId || !roleMay(existing.role, 'signInWithSso'))) throw conflict();
  // The account's link at this provider, if any. Read after the account (each statement sees what
  // has committed by then): a concurrent first sign-in of the same person may have linked it since
  // the lookup above found no link.
  const linkOfAccount = existing && !linked ? await SsoIdentity.findOne({ where: { issuer, userId: existing.id }, transaction }) : null;
  // Another person at the same provider already signs in to this account.
  if (linkOfAccount && linkOfAccount.subject !== subject) throw conflict();
  const link = linked ?? linkOfAccount;
  if (existing && !link && !sso.linkExistingAccounts)
    throw refused(
      403,
      'sso_link_not_allowed',
      'An Insurflow account already has this address and your company does not let its sign-in take over existing accounts: sign in with your password, or ask your administrator',
    );
  if (existing && !existing.isActive)
    throw refused(403, 'sso_user_disabled', 'Your Insurflow account is deactivated; ask your administrator');
  const source = { actor: { type: 'user' as const, id: existing?.id ?? null }, requestId: deps.auditSource.requestId };
  if (!existing) {
    // No password anyone knows: the account signs in through the provider (or after a reset mail).
    const passwordHash = await hashPassword(crypto.randomBytes(32).toString('base64url'), deps.config.passwordHashing);
    const user = await User.create({ tenantId, ...person, passwordHash, emailVerifiedAt: new Date() }, { transaction });
    await SsoIdentity.create({ issuer, subject, userId: user.id, roleFromGroups: true }, { transaction });
    await recordAudit(
      { ...source, actor: { type: 'user', id: user.id } },
      { tenantId, action: 'user.create', entityType: 'user', entityId: user.id, after: user },
      transaction,
    );
    // Among the authentication events too, beside `sso.account_link`: an auditor reading how accounts came to sign in through the provider finds both.
    await recordAuthEvent(ownerDeps(deps, user), { type: 'sso.account_create', tenantId, userId: user.id }, transaction);
    await syncAudience(user.id, transaction, { outbox: deps.outbox, auditSource: source });
    return { user, schedulePauses: [] };
  }
  if (!link) {
    // A password account taken over: its role stays the one a tenant admin gave it.
    await SsoIdentity.create({ issuer, subject, userId: existing.id, roleFromGroups: false }, { transaction });
    await recordAuthEvent(ownerDeps(deps, existing), { type: 'sso.account_link', tenantId, userId: existing.id }, transaction);
  }
  // The provider's groups decide the role, but never take the tenant's last active admin's: that
  // would leave nobody to manage its users (a tenant admin's change is refused the same, 409).
  const fromGroups = link?.roleFromGroups === true;
  const keepsAdmin = fromGroups && removesAdmin(existing, { role: person.role }) && (await isLastActiveAdmin(existing, transaction));
  if (keepsAdmin)
    deps.logger.warn({ tenantId, userId: existing.id, role: person.role }, 'company sign-in: the last active tenant admin keeps the role');
  const role = fromGroups && !keepsAdmin ? person.role : existing.role;
  const before = existing.toJSON();
  const roleChanged = existing.role !== role;
  await existing.update({ role, emailVerifiedAt: existing.emailVerifiedAt ?? new Date() }, { transaction });
  if (!roleChanged) return { user: existing, schedulePauses: [] };
  // Whoever held this user's tokens held them for the old role; the session this sign-in opens is of the new version.
  await revokeAllSessions(existing.id, { transaction });
  await existing.reload({ transaction });
  await syncAudience(existing.id, transaction, { outbox: deps.outbox, auditSource: source });
  const schedulePauses = await pauseDefinitionsOwnedBy(existing.id, existing, source, transaction);
  await recordAudit(
    source,
    { tenantId, action: 'user.role_change', entityType: 'user', entityId: existing.id, before, after: existing },
    transaction,
  );
  return { user: existing, schedulePauses };
}

/**
 * Records a refused company sign-in of a known tenant (the sign-in's state was valid): why, and
 * for which address if known (kept as its hash), counted like any failed sign-in.
 */
const recordRefusal = (deps: CommandDeps, tenantId: string, reason: SsoRefusalReason, email: string | undefined) =>
  recordAuthEvent(deps, { type: 'sso.sign_in_failed', tenantId, email, reason });

/**
 * Finishes a company sign-in from the provider's redirect (`query`: its code and state, or its
 * error) in the browser that started it (`browserKey`, from its cookie): the code is redeemed and the ID token checked, the staff member signed in, or asked for
 * their second factor (the answer of POST /auth/login's first step) when the provider did not say
 * it proved one.
 */
export const finishSso: PublicCommand<
  { query: URLSearchParams; browserKey: string | undefined },
  { user: User; tokens: TokenPair } | SignInStep
> = async ({ query, browserKey }, deps) => {
  const state = query.get('state');
  if (!state) throw refused(400, 'sso_state_invalid', 'The callback names no sign-in (state); start again');
  const login = await takeLogin(state);
  let email: string | undefined;
  try {
    assertSameBrowser(login, browserKey);
    const { tenant, sso } = await enabledSsoOf(login.tenantId);
    if (query.get('error')) throw refused(401, 'sso_provider_refused', 'The identity provider did not sign you in');
    const { client, configuration } = await clientOf(deps, sso);
    const currentUrl = new URL(`${callbackUrl(deps)}?${query.toString()}`);
    const tokens = await client
      .authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedNonce: login.nonce,
        expectedState: state,
        idTokenExpected: true,
      })
      .catch((err: unknown) => {
        if (providerFailureOf(err)) throw providerUnavailable(deps, tenant.id, err);
        deps.logger.warn({ err, tenantId: tenant.id }, 'company sign-in: the code exchange or the ID token was refused');
        throw refused(401, 'sso_token_invalid', 'The identity provider’s answer could not be verified; start again');
      });
    const claims: Record<string, unknown> = tokens.claims() ?? {};
    // Named in the record of a refusal that follows (a domain or a group refused).
    if (typeof claims.email === 'string') email = claims.email.slice(0, 254).toLowerCase();
    const identity = identityFrom(claims, sso);
    const signInOnce = () => deps.sequelize.transaction((transaction) => signInUser(sso, identity, deps, transaction));
    // A person's first two sign-ins at once (two tabs) both find no account; the one that loses the
    // race to create it, run again, finds the winner's.
    const { user, schedulePauses } = await signInOnce().catch((err: unknown) => {
      if (err instanceof UniqueConstraintError) return signInOnce();
      throw err;
    });
    for (const message of schedulePauses) await deps.outbox.deliver(message);
    // The provider vouches for the password; a second factor it did not prove is asked here, as after a password.
    const secondStep = secondFactorAsserted(claims, sso) ? null : await secondStepOf(user);
    if (secondStep) {
      const type = secondStep.status === 'mfa_required' ? 'mfa.challenged' : 'mfa.enrolment_required';
      await recordAuthEvent(ownerDeps(deps, user), { type, tenantId: tenant.id, userId: user.id });
      return secondStep;
    }
    return await startSession(deps, user, 'sso.sign_in');
  } catch (err) {
    if (err instanceof SsoRefused) await recordRefusal(deps, login.tenantId, err.code, email);
    throw err;
  }
};

/**
 * Company sign-in for staff (docs/accounts.md, Company sign-in): the authorization code flow with
 * PKCE, state and nonce against the tenant's OpenID provider. The sign-in under way is kept
 * server-side (src/models/sso-login.ts), bound to its tenant and used once; the ID token is checked
 * by openid-client (src/services/sso/provider.ts). A staff member is created on their first
 * sign-in and given the role their groups map to on each; Insurflow then issues its own tokens,
 * as a password sign-in does.
 */
import crypto from 'node:crypto';
import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import { SsoIdentity, SsoLogin, Tenant, TenantSso, User } from '../../models';
import { recordAudit } from '../../services/audit';
import { recordAuthEvent, type SsoRefusalReason } from '../../services/auth-events';
import { hashPassword } from '../../services/passwords';
import { pauseDefinitionsOwnedBy } from '../../services/report-ownership';
import { providerFor } from '../../services/sso/provider';
import { issueTokenPair, revokeAllSessions, type TokenPair } from '../../services/tokens';
import { ApiError, notFound } from '../../shared/errors';
import { isStaff, type Role } from '../../shared/roles';
import type { CommandDeps, PublicCommand } from '../command';
import { syncAudience } from '../compliance/audience';

/** How long a started sign-in may take at the provider before its callback is refused. */
export const SSO_LOGIN_TTL_MS = 10 * 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

/** Where the provider sends the browser back: the callback route of this API. */
const callbackUrl = (deps: CommandDeps) => `${deps.config.api.publicUrl}/api/v1/auth/sso/callback`;

/** A refused company sign-in: its code says why (the API answers it, the audit trail records it). */
export class SsoRefused extends ApiError {
  declare readonly code: SsoRefusalReason;
}

const refused = (status: number, code: SsoRefusalReason, message: string) => new SsoRefused(status, code, message);

/** The tenant's enabled company sign-in, by slug or id; 404 for an unknown or inactive tenant or one without it. */
async function enabledSsoOf(tenantSlugOrId: string): Promise<{ tenant: Tenant; sso: TenantSso }> {
  const tenant = await Tenant.findOne({
    where: UUID.test(tenantSlugOrId) ? { id: tenantSlugOrId } : { slug: tenantSlugOrId.toLowerCase() },
  });
  const sso = tenant && tenant.status === 'active' ? await TenantSso.findByPk(tenant.id) : null;
  if (!tenant || !sso?.enabled) throw notFound('Company sign-in');
  return { tenant, sso };
}

/** Starts a company sign-in: the provider's authorization URL to send the browser to. */
export const startSso: PublicCommand<{ tenant: string }, { authorizationUrl: string }> = async ({ tenant: slugOrId }, deps) => {
  const { tenant, sso } = await enabledSsoOf(slugOrId);
  const { client, configuration } = await providerFor(sso);
  const state = client.randomState();
  const nonce = client.randomNonce();
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
  return { authorizationUrl: url.href };
};

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

/** What the ID token's claims allow: an address of an allowed domain and exactly one staff role from its groups. */
function identityFrom(claims: Record<string, unknown>, sso: TenantSso): ProvenIdentity {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email || claims.email_verified === false)
    throw refused(403, 'sso_email_missing', 'The identity provider gave no verified e-mail address');
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
  if (!isStaff(roles[0])) throw refused(403, 'sso_group_unmapped', 'The mapped role is not a staff role');
  const name = typeof claims.name === 'string' ? claims.name.trim().slice(0, 200) : '';
  return { issuer: sso.issuer, subject: subjectOf(claims), email, fullName: name || email, role: roles[0] };
}

/**
 * The staff member the identity names, created on their first sign-in, their role brought in line
 * with their groups on each (a change ends their other sessions and pauses the saved reports the
 * new role may not own, as an admin's change does). Refused: an address of another tenant or of a
 * policyholder, a deactivated user.
 */
async function signInUser(tenantId: string, identity: ProvenIdentity, deps: CommandDeps, transaction: Transaction) {
  const { issuer, subject, ...person } = identity;
  const lock = transaction.LOCK.UPDATE;
  const linked = await SsoIdentity.findOne({ where: { issuer, subject }, transaction });
  // A linked person keeps their account whatever address the provider gives now.
  const existing = linked
    ? await User.findByPk(linked.userId, { transaction, lock })
    : await User.findOne({ where: { email: person.email }, transaction, lock });
  const conflict = () => refused(403, 'sso_account_conflict', 'This address belongs to an account that company sign-in cannot use');
  if (existing && (existing.tenantId !== tenantId || !isStaff(existing.role))) throw conflict();
  // The account's link at this provider, if any. Read after the account (each statement sees what
  // has committed by then): a concurrent first sign-in of the same person may have linked it since
  // the lookup above found no link.
  const linkOfAccount = existing && !linked ? await SsoIdentity.findOne({ where: { issuer, userId: existing.id }, transaction }) : null;
  // Another person at the same provider already signs in to this account.
  if (linkOfAccount && linkOfAccount.subject !== subject) throw conflict();
  if (existing && !existing.isActive)
    throw refused(403, 'sso_user_disabled', 'Your Insurflow account is deactivated; ask your administrator');
  const source = { actor: { type: 'user' as const, id: existing?.id ?? null }, requestId: deps.auditSource.requestId };
  if (!existing) {
    // No password anyone knows: the account signs in through the provider (or after a reset mail).
    const passwordHash = await hashPassword(crypto.randomBytes(32).toString('base64url'), deps.config.passwordHashing);
    const user = await User.create(
      { tenantId, ...person, passwordHash, emailVerifiedAt: new Date(), lastLoginAt: new Date() },
      { transaction },
    );
    await SsoIdentity.create({ issuer, subject, userId: user.id }, { transaction });
    await recordAudit(
      { ...source, actor: { type: 'user', id: user.id } },
      { tenantId, action: 'user.create', entityType: 'user', entityId: user.id, after: user },
      transaction,
    );
    await syncAudience(user.id, transaction, { outbox: deps.outbox, auditSource: source });
    return { user, schedulePauses: [] };
  }
  if (!linked && !linkOfAccount) await SsoIdentity.create({ issuer, subject, userId: existing.id }, { transaction });
  const before = existing.toJSON();
  const roleChanged = existing.role !== person.role;
  await existing.update(
    { role: person.role, lastLoginAt: new Date(), emailVerifiedAt: existing.emailVerifiedAt ?? new Date() },
    { transaction },
  );
  if (!roleChanged) return { user: existing, schedulePauses: [] };
  // Whoever held this user's tokens held them for the old role.
  await revokeAllSessions(existing.id, { transaction });
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
 * error): the code is redeemed and the ID token checked, the staff member signed in.
 */
export const finishSso: PublicCommand<{ query: URLSearchParams }, { user: User; tokens: TokenPair }> = async ({ query }, deps) => {
  const state = query.get('state');
  if (!state) throw refused(400, 'sso_state_invalid', 'The callback names no sign-in (state); start again');
  const login = await takeLogin(state);
  let email: string | undefined;
  try {
    const { tenant, sso } = await enabledSsoOf(login.tenantId);
    if (query.get('error')) throw refused(401, 'sso_provider_refused', 'The identity provider did not sign you in');
    const { client, configuration } = await providerFor(sso);
    const currentUrl = new URL(`${callbackUrl(deps)}?${query.toString()}`);
    const tokens = await client
      .authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedNonce: login.nonce,
        expectedState: state,
        idTokenExpected: true,
      })
      .catch((err: unknown) => {
        deps.logger.warn({ err, tenantId: tenant.id }, 'company sign-in: the code exchange or the ID token was refused');
        throw refused(401, 'sso_token_invalid', 'The identity provider’s answer could not be verified; start again');
      });
    const claims: Record<string, unknown> = tokens.claims() ?? {};
    // Named in the record of a refusal that follows (a domain or a group refused).
    if (typeof claims.email === 'string') email = claims.email.slice(0, 254).toLowerCase();
    const identity = identityFrom(claims, sso);
    const signInOnce = () =>
      deps.sequelize.transaction(async (transaction) => {
        const signedIn = await signInUser(tenant.id, identity, deps, transaction);
        await recordAuthEvent(
          { ...deps, auditSource: { ...deps.auditSource, actor: { type: 'user', id: signedIn.user.id } } },
          { type: 'sso.sign_in', tenantId: tenant.id, userId: signedIn.user.id },
          transaction,
        );
        return signedIn;
      });
    // A person's first two sign-ins at once (two tabs) both find no account; the one that loses the
    // race to create it, run again, finds the winner's.
    const { user, schedulePauses } = await signInOnce().catch((err: unknown) => {
      if (err instanceof UniqueConstraintError) return signInOnce();
      throw err;
    });
    for (const message of schedulePauses) await deps.outbox.deliver(message);
    return { user, tokens: await issueTokenPair(deps.config.jwt, user) };
  } catch (err) {
    if (err instanceof SsoRefused) await recordRefusal(deps, login.tenantId, err.code, email);
    throw err;
  }
};

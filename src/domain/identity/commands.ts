/**
 * The writes of accounts and sessions: signing up (answered the same whether or not the address
 * has an account; the mail says which, docs/security.md, account enumeration), proving the
 * address, signing in and out, rotating a session, changing and resetting a password.
 */
import { UniqueConstraintError, type Transaction } from 'sequelize';
import { Tenant, User } from '../../models';
import { recordAudit, type AuditSource } from '../audit/record';
import { recordAuthEvent, type AuthFailureReason } from './auth-events';
import { isActiveMember, isSuspendedMember, WITH_TENANT_STATUS } from '../../services/authority';
import { requestAccount, VerificationTokenRejected, verifyAccount, type AccountLinkPurpose } from './email-verifications';
import { issueResetToken, RESET_TOKEN_TTL_MS, resetPassword, ResetTokenRejected, voidResetTokens } from './password-resets';
import { hashPassword, needsRehash, verifyPassword } from '../../services/passwords';
import {
  issueAccessToken,
  RefreshTokenRejected,
  revokeAllSessions,
  revokeByRawToken,
  rotateRefreshToken,
  type TokenPair,
} from '../../services/tokens';
import { ApiError, notFound, ssoRequired, tenantSuspended, unauthorized, wrongCurrentPassword } from '../../shared/errors';
import { roleMay } from '../../access/verbs';
import type { Role } from '../../shared/roles';
import type { Command, CommandDeps, PublicCommand } from '../command';
import { syncAudience } from '../compliance/audience';
import { staffMustUseSso } from '../tenant-settings/sso';
import { mailContextOf } from '../../services/notifications/context';
import {
  afterAnswer,
  alreadyRegisteredMail,
  failedSignInsMail,
  invitationMail,
  passwordResetMail,
  sendAccountMail,
  verifyAccountMail,
} from './account-mails';
import { secondStepOf, type SignInStep } from './mfa';
import type { LoginAttempts } from './presence';
import { ownerDeps, ownerSource, startSession } from './sessions';

/** Who asked a new member without a password to join: their link chooses the password as it proves the address. */
export interface Invitation {
  /** The mail it is: a staff member's, or a customer's. */
  mail: 'staffInvitation' | 'policyholderInvitation';
  invitedBy: string;
  companyName: string;
}

/** An account as it is asked for, its password already hashed. */
export interface NewAccount {
  tenantId: string;
  email: string;
  fullName: string;
  role: Role;
  managerId?: string | null;
  passwordHash: string;
}

/**
 * Asks for an account without holding the answer: creates it unverified and mails its link; when
 * an account still waiting for its link holds the address, mails a link that replaces it once
 * followed (the waiting account is left as it is); when the address has a working account, mails
 * its owner that it does. A new account's audit
 * event (`action`, by whoever `sourceOf` names) commits with it. The caller hashes the password
 * first, whatever the address, so every answer takes as long. `invitedBy`: the tenant admin asking,
 * whose authority the link lasts no longer than (./email-verifications.ts).
 */
export function requestAccountByMail(
  deps: CommandDeps,
  what: string,
  account: NewAccount,
  audit: { action: string; sourceOf: (user: User) => AuditSource },
  invitation?: Invitation,
  invitedBy: string | null = null,
): void {
  const { config } = deps;
  const requestOnce = () =>
    deps.sequelize.transaction(async (transaction) => {
      const purpose = invitation ? 'invitation' : 'account';
      const requested = await requestAccount(account, purpose, config.emailVerificationTtlMs, transaction, invitedBy);
      if (requested.kind === 'verify') {
        const { user } = requested;
        const change = { tenantId: account.tenantId, action: audit.action, entityType: 'user', entityId: user.id, after: user };
        await recordAudit(audit.sourceOf(user), change, transaction);
      }
      return requested;
    });
  afterAnswer(deps, what, async () => {
    // Two requests for a new address at once both find none; the one that loses the race to create
    // it, run again, finds the winner's account and mails a link that replaces it, as it would have
    // a moment later.
    const request = await requestOnce().catch((err: unknown) => {
      if (err instanceof UniqueConstraintError) return requestOnce();
      throw err;
    });
    const context = await mailContextOf(account.tenantId);
    await sendAccountMail(
      deps,
      request.kind === 'taken'
        ? await alreadyRegisteredMail(config, account.email, context)
        : invitation
          ? await invitationMail(
              config,
              account.email,
              request.token,
              invitation.mail,
              { fullName: account.fullName, ...invitation },
              context,
            )
          : await verifyAccountMail(config, account.email, request.token, context, request.kind === 'replace'),
    );
  });
}

/** Signs up as a policyholder of an active tenant (an unknown tenant is 404); the account works once its address is proven. */
export const registerPolicyholder: PublicCommand<{ tenantSlug: string; email: string; password: string; fullName: string }, void> = async (
  { tenantSlug, email, password, fullName },
  deps,
) => {
  const tenant = await Tenant.findOne({ where: { slug: tenantSlug, status: 'active' } });
  if (!tenant) throw notFound('Tenant');
  // Hashed whether or not the address is free, so both answers take as long.
  const passwordHash = await hashPassword(password, deps.config.passwordHashing);
  requestAccountByMail(
    deps,
    'registration',
    { tenantId: tenant.id, email, fullName, role: 'policyholder', passwordHash },
    { action: 'user.register', sourceOf: (user) => ownerSource(deps, user) },
  );
};

/** Runs `use` of a mailed single-use token (an address's link, a password reset); a token it cannot use is a 400 naming why. */
export async function withMailedToken<T>(use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } catch (err) {
    if (err instanceof VerificationTokenRejected || err instanceof ResetTokenRejected) throw new ApiError(400, err.code, err.message);
    throw err;
  }
}

/**
 * Proves the address the mailed token was sent to (single use): the account starts working, or
 * the account a later request asked for replaces the one that was waiting for the address; the
 * tenant of a replaced account sees that in its audit trail.
 */
export const verifyEmail: PublicCommand<{ token: string }, void> = ({ token }, deps) =>
  withMailedToken(() => deps.sequelize.transaction(async (transaction) => void (await proveAddress(token, 'account', deps, transaction))));

/**
 * Accepts a staff invitation (docs/pages.md, Accepting an invitation): the mailed token proves the
 * address as `verifyEmail` does, and its holder chooses the account's password in the same
 * transaction, so the account never works with a password anyone else knew.
 */
export const acceptInvitation: PublicCommand<{ token: string; newPassword: string }, void> = async ({ token, newPassword }, deps) => {
  const passwordHash = await hashPassword(newPassword, deps.config.passwordHashing);
  await withMailedToken(() =>
    deps.sequelize.transaction(async (transaction) => {
      const user = await proveAddress(token, 'invitation', deps, transaction);
      await user.update({ passwordHash }, { transaction });
      const change = { tenantId: user.tenantId, action: 'user.password_set', entityType: 'user', entityId: user.id };
      await recordAudit(ownerSource(deps, user), change, transaction);
    }),
  );
};

/**
 * Uses an account link of this purpose (a link of another is refused as an unknown one): the
 * account it names starts working (or replaces the one waiting for the address), audited.
 */
async function proveAddress(token: string, purpose: AccountLinkPurpose, deps: CommandDeps, transaction: Transaction): Promise<User> {
  const { user, replaced } = await verifyAccount(token, purpose, transaction);
  const auditSource = ownerSource(deps, user);
  if (replaced) {
    const change = { before: replaced, after: { replacedBy: user.id, tenantId: user.tenantId, role: user.role } };
    await recordAudit(
      auditSource,
      { tenantId: replaced.tenantId, action: 'user.unverified_replace', entityType: 'user', entityId: replaced.id, ...change },
      transaction,
    );
  }
  await recordAudit(
    auditSource,
    { tenantId: user.tenantId, action: 'user.verify_email', entityType: 'user', entityId: user.id, after: replaced ? user : undefined },
    transaction,
  );
  // A staff member whose account starts working joins the audiences of the published versions.
  await syncAudience(user.id, transaction, { outbox: deps.outbox, auditSource });
  return user;
}

/** Verified against when the e-mail is unknown, so a login costs the same either way; one per hashing setting. */
const unknownUserHashes = new WeakMap<CommandDeps['config']['passwordHashing'], Promise<string>>();

function hashForUnknownUser(hashing: CommandDeps['config']['passwordHashing']): Promise<string> {
  let hash = unknownUserHashes.get(hashing);
  if (!hash) {
    hash = hashPassword('no such user, no such password 0', hashing);
    unknownUserHashes.set(hashing, hash);
  }
  return hash;
}

/** Why a sign-in with a password failed, for its event; the answer is the same 401 for all but a suspended tenant. */
function failureReasonOf(user: User | null, valid: boolean): AuthFailureReason | null {
  if (!user) return 'unknown_account';
  if (!valid) return 'wrong_password';
  if (isSuspendedMember(user)) return 'tenant_suspended';
  if (!isActiveMember(user)) return 'inactive';
  return null;
}

/** The failed sign-in's event: the account, or for an address no account has, the address's hash. */
function signInFailed(deps: CommandDeps, email: string, user: User | null, reason: AuthFailureReason): Promise<void> {
  const account = user ? { tenantId: user.tenantId, userId: user.id } : { tenantId: null, email };
  return recordAuthEvent(deps, { type: 'auth.sign_in_failed', ...account, reason });
}

/**
 * Signs in with e-mail and password. Wrong passwords slow down the client that sends them, never
 * the account for everyone; once they do, the owner is told by mail, once per window. A user with
 * a second factor gets a challenge to answer with a code instead of tokens (./mfa.ts), and staff
 * whose tenant requires one but who have none an enrolment token. Every outcome is on the record
 * (`auth.sign_in`, `auth.sign_in_failed` with its reason, counted).
 */
export const logIn: PublicCommand<
  { email: string; password: string; attempts: LoginAttempts },
  { user: User; tokens: TokenPair } | SignInStep
> = async ({ email, password, attempts }, deps) => {
  const { config } = deps;
  const { hasFailures } = await attempts.assertAllowed().catch(async (err: unknown) => {
    // A delayed client: counted at the account it tried (one indexed read, no hash).
    if (err instanceof ApiError && err.status === 429) {
      await signInFailed(deps, email, await User.findOne({ where: { email } }), 'rate_limited');
    }
    throw err;
  });
  const user = await User.findOne({ where: { email }, ...WITH_TENANT_STATUS });
  const valid = await verifyPassword(
    password,
    user?.passwordHash ?? (await hashForUnknownUser(config.passwordHashing)),
    config.passwordHashing,
  );
  const failure = failureReasonOf(user, valid);
  if (failure) await signInFailed(deps, email, user, failure);
  // Told only to whoever knows the password; the session would be refused on every request anyway.
  if (failure === 'tenant_suspended') throw tenantSuspended();
  // An inactive or unverified user gets the same answer as a wrong password.
  if (!user || failure) {
    const { delayed } = await attempts.recordFailure();
    // Decided after answering, so an attempt at a real account takes as long as one at an unknown address.
    if (delayed && user && isActiveMember(user)) {
      afterAnswer(deps, 'failed sign-ins e-mail', async () => {
        if (await attempts.firstWarning(user.id)) {
          const context = await mailContextOf(user.tenantId, user.locale);
          await sendAccountMail(deps, await failedSignInsMail(config, user.email, config.rateLimit.loginFailureWindowSeconds, context));
        }
      });
    }
    throw unauthorized('E-mail or password is wrong');
  }
  if (hasFailures) await attempts.reset();
  // Told only to whoever knows the password, like a suspension.
  if (user.tenantId && roleMay(user.role, 'signInWithSso') && (await staffMustUseSso(user.tenantId))) {
    throw ssoRequired(user.tenantId);
  }
  const rehashed = needsRehash(user.passwordHash) ? { passwordHash: await hashPassword(password, config.passwordHashing) } : {};
  // An enrolled second factor, or a tenant that requires one, makes the password only the first step.
  const secondStep = await secondStepOf(user);
  if (secondStep) {
    if (rehashed.passwordHash) await user.update(rehashed);
    const type = secondStep.status === 'mfa_required' ? 'mfa.challenged' : 'mfa.enrolment_required';
    await recordAuthEvent(ownerDeps(deps, user), { type, tenantId: user.tenantId, userId: user.id });
    return secondStep;
  }
  return startSession(deps, user, 'auth.sign_in', rehashed);
};

/**
 * Exchanges a refresh token for a new pair; the old one is used up (401 for one that is not
 * usable). A rotation and a used token presented again (every session of its login ends) are on
 * the record.
 */
export const refreshSession: PublicCommand<{ refreshToken: string }, TokenPair> = async ({ refreshToken }, deps) => {
  try {
    // The rotation and its event commit together.
    return await rotateRefreshToken(deps.config.jwt, refreshToken, (user, transaction) =>
      recordAuthEvent(ownerDeps(deps, user), { type: 'auth.refresh', tenantId: user.tenantId, userId: user.id }, transaction),
    );
  } catch (err) {
    if (err instanceof RefreshTokenRejected) {
      if (err.reusedBy) {
        const { reusedBy } = err;
        await recordAuthEvent(deps, { type: 'auth.refresh_reuse', tenantId: reusedBy.tenantId, userId: reusedBy.id });
      }
      throw new ApiError(401, 'invalid_refresh_token', err.message);
    }
    throw err;
  }
};

/** Revokes the caller's refresh token and every token rotated from the same login. */
export const logOut: Command<{ refreshToken: string }, void> = async (caller, { refreshToken }, deps) => {
  await revokeByRawToken(refreshToken, caller.id);
  await recordAuthEvent(deps, { type: 'auth.sign_out', tenantId: caller.tenantId, userId: caller.id });
};

/**
 * Changes the caller's password after checking the current one (400 if wrong): every other
 * session ends, the one of `sessionFamilyId` continues with the access token answered; a reset
 * link still open is void.
 */
export const changePassword: Command<
  { currentPassword: string; newPassword: string; sessionFamilyId: string | undefined },
  { accessToken: string }
> = async (caller, { currentPassword, newPassword, sessionFamilyId }, deps) => {
  const { config } = deps;
  const user = await User.findByPk(caller.id);
  if (!user) throw unauthorized();
  if (!(await verifyPassword(currentPassword, user.passwordHash, config.passwordHashing))) throw wrongCurrentPassword();
  const passwordHash = await hashPassword(newPassword, config.passwordHashing);
  await deps.sequelize.transaction(async (transaction) => {
    await user.update({ passwordHash }, { transaction });
    await revokeAllSessions(user.id, { keepFamilyId: sessionFamilyId, transaction });
    await voidResetTokens(user.id, transaction);
    await recordAudit(
      deps.auditSource,
      { tenantId: user.tenantId, action: 'user.password_change', entityType: 'user', entityId: user.id },
      transaction,
    );
  });
  await user.reload();
  return { accessToken: issueAccessToken(config.jwt, user, sessionFamilyId) };
};

/** Mails a reset token to the active account with this e-mail, if there is one; the answer is the same either way. */
export const requestPasswordReset: PublicCommand<{ email: string }, void> = async ({ email }, deps) => {
  const issued = await issueResetToken(email);
  if (!issued) return;
  const { user, token } = issued;
  // Sent after answering, so the answer takes as long whether or not the account exists.
  afterAnswer(deps, 'password reset e-mail', async () => {
    const context = await mailContextOf(user.tenantId, user.locale);
    await sendAccountMail(deps, await passwordResetMail(deps.config, user, token, RESET_TOKEN_TTL_MS, context));
  });
};

/** Sets a new password with a mailed reset token (single use); every session ends. */
export const confirmPasswordReset: PublicCommand<{ token: string; newPassword: string }, void> = ({ token, newPassword }, deps) =>
  withMailedToken(() => resetPassword(token, newPassword, deps.config.passwordHashing, deps.auditSource));

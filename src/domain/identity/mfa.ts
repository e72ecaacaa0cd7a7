/**
 * The second factor (docs/accounts.md, Second factor): TOTP for every role but policyholder, with
 * single-use recovery codes; a tenant may require it of its staff.
 *
 * Signing in with one enrolled takes two steps: the password step answers a challenge (short-lived,
 * single-use, stored only as its SHA-256) instead of tokens, and `verifySignIn` exchanges it and a
 * code for the session. Staff whose tenant requires a second factor and who have none get an
 * enrolment token instead, which does nothing but enrol (and, once enrolled, sign in): it is no
 * access token, so no other route can take it.
 *
 * A code is accepted at most once: the time step of the last one accepted is kept and no code of
 * that step or an earlier one is taken again, under a lock of the user's row, so two requests
 * racing with the same code cannot both win. Wrong codes are bounded per challenge (then it is used
 * up) and, through the transport's `CodeAttempts`, per user.
 */
import { Op, type Transaction } from 'sequelize';
import { findVisible } from '../../access/core';
import { userAccess } from '../../access/users';
import { MfaChallenge, MfaRecoveryCode, TenantSettings, User, UserMfa, type MfaChallengePurpose } from '../../models';
import { recordAudit, type AuditSource } from '../audit/record';
import { isActiveMember, isSuspendedMember, WITH_TENANT_STATUS } from '../../services/authority';
import { hashToken, mintToken } from '../../services/single-use-tokens';
import type { TokenPair } from '../../services/tokens';
import { mailContextOf } from '../../services/notifications/context';
import {
  decryptTotpSecret,
  encryptTotpSecret,
  hashRecoveryCode,
  isTotpCode,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  totpStepOf,
} from '../../services/totp';
import { conflict, forbidden, mfaChallengeRefused, tenantSuspended, unauthorized, unprocessable, wrongMfaCode } from '../../shared/errors';
import { roleMay } from '../../access/verbs';
import type { Command, CommandDeps, PublicCommand } from '../command';
import { accountMail, mailAfterAnswer } from './account-mails';
import { assertCallerPresent, assertPresent, type Presence } from './presence';
import { ownerSource, startSession } from './sessions';

/** How long the password step's challenge may be answered. */
export const SIGN_IN_CHALLENGE_TTL_SECONDS = 5 * 60;
/** How long an enrolment token lets its holder enrol (scanning a code and typing one takes a while). */
export const ENROLMENT_TOKEN_TTL_SECONDS = 10 * 60;
/** Wrong codes one challenge or enrolment token takes before it is used up. */
export const WRONG_CODES_PER_CHALLENGE = 5;

/**
 * The transport's count of one user's wrong codes (src/api/auth/mfa-throttle.ts): past a few, each
 * further one is delayed, whatever challenge or session it comes with.
 */
export interface CodeAttempts {
  /** Refuses (429) while the user's codes are delayed. */
  assertAllowed(userId: string): Promise<void>;
  recordFailure(userId: string): Promise<void>;
  reset(userId: string): Promise<void>;
}

/** What the password step answers instead of tokens. */
export type SignInStep =
  | { status: 'mfa_required'; challenge: string; expiresIn: number }
  | { status: 'mfa_enrolment_required'; enrolmentToken: string; expiresIn: number };

/** Shown once, when enrolment starts: the secret is never answered again. */
export interface Enrolment {
  otpauthUri: string;
  secret: string;
}

export interface MfaStatus {
  enrolled: boolean;
  enrolledAt: Date | null;
  recoveryCodesLeft: number;
  /** The tenant requires a second factor of its staff, this user among them. */
  required: boolean;
}

/** What a wrong code is asked during, in its audit event. */
export type CodeUse = 'sign_in' | 'enrolment' | 'disable' | 'recovery_codes' | 'email_change' | 'acknowledgement';

const WRONG = Symbol('wrong code');

async function requiredFor(user: Pick<User, 'tenantId' | 'role'>): Promise<boolean> {
  return (
    user.tenantId !== null && roleMay(user.role, 'enrolRequiredMfa') && (await TenantSettings.forTenant(user.tenantId)).mfaRequiredForStaff
  );
}

async function issueChallenge(userId: string, purpose: MfaChallengePurpose, ttlSeconds: number): Promise<string> {
  const { token, tokenHash } = mintToken();
  // The user's challenges that can no longer be answered go as a new one comes: each user keeps a few rows at most.
  await MfaChallenge.destroy({ where: { userId, expiresAt: { [Op.lt]: new Date() } } });
  await MfaChallenge.create({ userId, purpose, tokenHash, expiresAt: new Date(Date.now() + ttlSeconds * 1000) });
  return token;
}

/** What the password step leads to instead of a session, or null when it gives one at once. */
export async function secondStepOf(user: User): Promise<SignInStep | null> {
  const mfa = await UserMfa.findByPk(user.id, { attributes: ['userId', 'enrolledAt'] });
  if (mfa?.enrolledAt) {
    const challenge = await issueChallenge(user.id, 'sign_in', SIGN_IN_CHALLENGE_TTL_SECONDS);
    return { status: 'mfa_required', challenge, expiresIn: SIGN_IN_CHALLENGE_TTL_SECONDS };
  }
  if (await requiredFor(user)) {
    const enrolmentToken = await issueChallenge(user.id, 'enrol', ENROLMENT_TOKEN_TTL_SECONDS);
    return { status: 'mfa_enrolment_required', enrolmentToken, expiresIn: ENROLMENT_TOKEN_TTL_SECONDS };
  }
  return null;
}

export async function mfaStatusOf(user: Pick<User, 'id' | 'tenantId' | 'role'>): Promise<MfaStatus> {
  const [mfa, recoveryCodesLeft, required] = await Promise.all([
    UserMfa.findByPk(user.id, { attributes: ['userId', 'enrolledAt'] }),
    MfaRecoveryCode.count({ where: { userId: user.id, usedAt: null } }),
    requiredFor(user),
  ]);
  const enrolledAt = mfa?.enrolledAt ?? null;
  return { enrolled: enrolledAt !== null, enrolledAt, recoveryCodesLeft: enrolledAt ? recoveryCodesLeft : 0, required };
}

/**
 * A new secret for the user, replacing one that was never confirmed (refused, 409, once one is):
 * answered once, stored encrypted (src/services/totp.ts).
 */
async function beginEnrolment(deps: CommandDeps, user: Pick<User, 'id' | 'email' | 'role'>): Promise<Enrolment> {
  if (!roleMay(user.role, 'enrolMfa')) throw forbidden('Policyholders cannot enrol a second factor');
  const secret = newTotpSecret();
  // One statement, so a confirmation committing meanwhile is never overwritten.
  const [rows] = await deps.sequelize.query(
    `INSERT INTO user_mfa (user_id, secret_encrypted, created_at, updated_at) VALUES ($1, $2, now(), now())
     ON CONFLICT (user_id) DO UPDATE SET secret_encrypted = EXCLUDED.secret_encrypted, last_used_step = NULL, updated_at = now()
     WHERE user_mfa.enrolled_at IS NULL
     RETURNING user_id`,
    { bind: [user.id, encryptTotpSecret(deps.config.jwt, user.id, secret)] },
  );
  if ((rows as unknown[]).length === 0) throw conflict('A second factor is already enrolled; disable it before enrolling another');
  return { otpauthUri: otpauthUri(user.email, secret), secret };
}

/**
 * Whether `code` proves the second factor of `mfa` (locked by the caller's transaction): a TOTP
 * code of a step later than the last one accepted, which becomes the last one, or, where allowed,
 * an unused recovery code, which is used up.
 */
async function proofOf(
  deps: CommandDeps,
  mfa: UserMfa,
  code: string,
  transaction: Transaction,
  options: { recoveryCode: boolean },
): Promise<'totp' | 'recovery_code' | null> {
  if (isTotpCode(code)) {
    const secret = decryptTotpSecret(deps.config.jwt, mfa.userId, mfa.secretEncrypted);
    const step = secret === null ? null : await totpStepOf(secret, code, mfa.lastUsedStep);
    if (step === null) return null;
    await mfa.update({ lastUsedStep: step }, { transaction });
    return 'totp';
  }
  if (!options.recoveryCode) return null;
  const [used] = await MfaRecoveryCode.update(
    { usedAt: new Date() },
    { where: { userId: mfa.userId, codeHash: hashRecoveryCode(code), usedAt: null }, transaction },
  );
  return used === 1 ? 'recovery_code' : null;
}

const userEvent = (user: Pick<User, 'id' | 'tenantId'>, action: string, after?: object) => ({
  tenantId: user.tenantId,
  action,
  entityType: 'user',
  entityId: user.id,
  after,
});

async function recordWrongCode(
  source: AuditSource,
  user: Pick<User, 'id' | 'tenantId'>,
  during: CodeUse,
  transaction: Transaction,
  failedAttempts?: number,
): Promise<void> {
  await recordAudit(source, userEvent(user, 'mfa.challenge_failed', { during, failedAttempts }), transaction);
}

async function recordRecoveryCodeUse(source: AuditSource, user: Pick<User, 'id' | 'tenantId'>, during: CodeUse, transaction: Transaction) {
  const recoveryCodesLeft = await MfaRecoveryCode.count({ where: { userId: user.id, usedAt: null }, transaction });
  await recordAudit(source, userEvent(user, 'mfa.recovery_code_used', { during, recoveryCodesLeft }), transaction);
}

/** Replaces the user's recovery codes with new ones, answered once. */
async function replaceRecoveryCodes(userId: string, transaction: Transaction): Promise<string[]> {
  const { codes, hashes } = newRecoveryCodes();
  await MfaRecoveryCode.destroy({ where: { userId }, transaction });
  await MfaRecoveryCode.bulkCreate(
    hashes.map((codeHash) => ({ userId, codeHash })),
    { transaction },
  );
  return codes;
}

/** The user's second factor and recovery codes, gone. */
async function removeMfa(mfa: UserMfa, transaction: Transaction): Promise<void> {
  await MfaRecoveryCode.destroy({ where: { userId: mfa.userId }, transaction });
  await mfa.destroy({ transaction });
}

/**
 * Runs `check` in one transaction; when it answers WRONG (having recorded what a wrong code
 * changes, which commits), the user's wrong codes count one more and the code is refused.
 */
async function withCodeChecked<T>(
  deps: CommandDeps,
  attempts: CodeAttempts,
  userId: string,
  refusal: () => Error,
  check: (transaction: Transaction) => Promise<T | typeof WRONG>,
): Promise<T> {
  await attempts.assertAllowed(userId);
  const outcome = await deps.sequelize.transaction(check);
  if (outcome === WRONG) {
    await attempts.recordFailure(userId);
    throw refusal();
  }
  await attempts.reset(userId);
  return outcome;
}

const lockedMfa = (userId: string, transaction: Transaction) => UserMfa.findByPk(userId, { lock: transaction.LOCK.UPDATE, transaction });

/**
 * Confirms a waiting enrolment with a current code (in the caller's transaction): enrolled, with
 * new recovery codes. The caller records a wrong code.
 */
async function confirmIn(
  deps: CommandDeps,
  source: AuditSource,
  user: Pick<User, 'id' | 'tenantId'>,
  code: string,
  transaction: Transaction,
): Promise<string[] | typeof WRONG> {
  const mfa = await lockedMfa(user.id, transaction);
  if (!mfa || mfa.enrolledAt) throw conflict('No enrolment is waiting for a code; start one first');
  if (!(await proofOf(deps, mfa, code, transaction, { recoveryCode: false }))) return WRONG;
  await mfa.update({ enrolledAt: new Date() }, { transaction });
  const recoveryCodes = await replaceRecoveryCodes(user.id, transaction);
  await recordAudit(source, userEvent(user, 'mfa.enrolled', { recoveryCodesIssued: recoveryCodes.length }), transaction);
  return recoveryCodes;
}

async function callerUser(caller: { id: string }): Promise<User> {
  const user = await User.findByPk(caller.id);
  if (!user) throw unauthorized();
  return user;
}

/** Starts (or starts again) the caller's enrolment, once they prove they are there: the `otpauth://` URI and the secret, answered this once. */
export const startEnrolment: Command<Presence, Enrolment> = async (caller, presence, deps) => {
  const user = await callerUser(caller);
  await assertPresent(deps, user, presence);
  return beginEnrolment(deps, user);
};

/**
 * A change of the signed-in caller proven by a code: `work` answers WRONG for a wrong code, which
 * is recorded (`during`) and refused with 400.
 */
async function provenByCaller<T>(
  caller: { id: string },
  attempts: CodeAttempts,
  deps: CommandDeps,
  during: CodeUse,
  work: (user: User, transaction: Transaction) => Promise<T | typeof WRONG>,
): Promise<T> {
  return provenBy(await callerUser(caller), attempts, deps, during, work);
}

async function provenBy<T>(
  user: User,
  attempts: CodeAttempts,
  deps: CommandDeps,
  during: CodeUse,
  work: (user: User, transaction: Transaction) => Promise<T | typeof WRONG>,
): Promise<T> {
  return withCodeChecked(
    deps,
    attempts,
    user.id,
    () => wrongMfaCode(400),
    async (transaction) => {
      const outcome = await work(user, transaction);
      if (outcome === WRONG) await recordWrongCode(deps.auditSource, user, during, transaction);
      return outcome;
    },
  );
}

/** Confirms the caller's enrolment with a current code: answers the recovery codes, once. */
export const confirmEnrolment: Command<{ code: string; attempts: CodeAttempts }, { recoveryCodes: string[] }> = async (
  caller,
  { code, attempts },
  deps,
) => ({
  recoveryCodes: await provenByCaller(caller, attempts, deps, 'enrolment', (user, transaction) =>
    confirmIn(deps, deps.auditSource, user, code, transaction),
  ),
});

/** The caller's enrolled second factor, locked, or 409. */
async function enrolledMfa(userId: string, transaction: Transaction): Promise<UserMfa> {
  const mfa = await lockedMfa(userId, transaction);
  if (!mfa?.enrolledAt) throw conflict('No second factor is enrolled');
  return mfa;
}

/** Removes the caller's second factor, proven by a current code or a recovery code. */
export const disableMfa: Command<{ code: string; attempts: CodeAttempts }, void> = (caller, { code, attempts }, deps) =>
  provenByCaller(caller, attempts, deps, 'disable', async (user, transaction) => {
    const proven = await codeOrRecoveryCode(deps, user, code, 'disable', transaction);
    if (proven === WRONG) return WRONG;
    await removeMfa(proven.mfa, transaction);
    await recordAudit(deps.auditSource, userEvent(user, 'mfa.disabled', { proof: proven.proof }), transaction);
  });

/** The user's enrolled second factor (locked) proven by a current code or a recovery code (whose use is recorded), or WRONG. */
async function codeOrRecoveryCode(deps: CommandDeps, user: User, code: string, during: CodeUse, transaction: Transaction) {
  const mfa = await enrolledMfa(user.id, transaction);
  const proof = await proofOf(deps, mfa, code, transaction, { recoveryCode: true });
  if (!proof) return WRONG;
  if (proof === 'recovery_code') await recordRecoveryCodeUse(deps.auditSource, user, during, transaction);
  return { mfa, proof };
}

/** Whether the user has a second factor enrolled (sign-in then asks for a code). */
export async function hasSecondFactor(userId: string): Promise<boolean> {
  return Boolean((await UserMfa.findByPk(userId, { attributes: ['userId', 'enrolledAt'] }))?.enrolledAt);
}

/**
 * Proves, outside any session, that the account's owner holds its second factor (a current code or
 * a recovery code): for a change a mailed link asks for (`during`: an e-mail change, an
 * acknowledgement). A wrong code is recorded and counted like any other, and refused (400).
 */
export async function proveSecondFactor(
  deps: CommandDeps,
  attempts: CodeAttempts,
  user: User,
  code: string,
  during: CodeUse,
): Promise<void> {
  await provenBy(user, attempts, deps, during, (owner, transaction) => codeOrRecoveryCode(deps, owner, code, during, transaction));
}

/** New recovery codes for the caller (the old ones stop working), proven by a current code. */
export const regenerateRecoveryCodes: Command<{ code: string; attempts: CodeAttempts }, { recoveryCodes: string[] }> = async (
  caller,
  { code, attempts },
  deps,
) => ({
  recoveryCodes: await provenByCaller(caller, attempts, deps, 'recovery_codes', async (user, transaction) => {
    const mfa = await enrolledMfa(user.id, transaction);
    if (!(await proofOf(deps, mfa, code, transaction, { recoveryCode: false }))) return WRONG;
    const codes = await replaceRecoveryCodes(user.id, transaction);
    await recordAudit(
      deps.auditSource,
      userEvent(user, 'mfa.recovery_codes_regenerated', { recoveryCodesIssued: codes.length }),
      transaction,
    );
    return codes;
  }),
});

/**
 * A tenant admin removes a user's second factor (a lost phone and lost recovery codes): the user
 * signs in with the password alone, or enrols again if the tenant requires it. Another tenant's
 * user is 404, and so is a platform admin (no tenant's user); the admin's own is refused (422): that
 * goes through `disableMfa`, with a code, so a stolen session of an admin cannot remove the admin's
 * second factor. Whoever holds a colleague's password and an admin's session would otherwise sign
 * in as the colleague: the admin proves they are there (./presence.ts; an API key never is), and the
 * user is told by mail, so a reset they did not ask for does not pass unseen.
 */
export const resetUserMfa: Command<{ id: string } & Presence, void> = async (caller, { id, ...presence }, deps) => {
  const user = await findVisible(caller, userAccess, id);
  if (user.id === caller.id) throw unprocessable('Remove your own second factor with a code: POST /auth/mfa/disable');
  const admin = await assertCallerPresent(deps, caller, presence, "Removing someone's second factor");
  await deps.sequelize.transaction(async (transaction) => {
    const mfa = await lockedMfa(user.id, transaction);
    if (!mfa) throw conflict('This user has no second factor');
    await removeMfa(mfa, transaction);
    await recordAudit(deps.auditSource, userEvent(user, 'mfa.reset', { enrolled: mfa.enrolledAt !== null }), transaction);
  });
  const context = await mailContextOf(user.tenantId, user.locale);
  mailAfterAnswer(deps, [() => accountMail(deps.config, user.email, 'secondFactorReset', { adminName: admin.fullName }, context)]);
};

const usable = (challenge: MfaChallenge | null): challenge is MfaChallenge =>
  challenge !== null &&
  challenge.usedAt === null &&
  challenge.expiresAt > new Date() &&
  challenge.failedAttempts < WRONG_CODES_PER_CHALLENGE;

/** The challenge (or enrolment token) `token` names, while usable, and its user, while that user may sign in. */
async function challengeOf(token: string, purpose: MfaChallengePurpose): Promise<{ challenge: MfaChallenge; user: User }> {
  const challenge = await MfaChallenge.findOne({ where: { tokenHash: hashToken(token), purpose } });
  if (!usable(challenge)) throw mfaChallengeRefused();
  const user = await User.findByPk(challenge.userId, WITH_TENANT_STATUS);
  if (user && isSuspendedMember(user)) throw tenantSuspended();
  if (!user || !isActiveMember(user)) throw mfaChallengeRefused();
  return { challenge, user };
}

/**
 * Spends `token` (single use) on `check`, which proves a code under the challenge's lock: a wrong
 * code counts against the challenge (used up after WRONG_CODES_PER_CHALLENGE) and the user; a
 * right one uses it up, and the session starts.
 */
async function answerChallenge<T>(
  deps: CommandDeps,
  attempts: CodeAttempts,
  token: string,
  purpose: MfaChallengePurpose,
  check: (user: User, source: AuditSource, transaction: Transaction) => Promise<T | typeof WRONG>,
): Promise<{ user: User; tokens: TokenPair; value: T }> {
  const { challenge, user } = await challengeOf(token, purpose);
  const source = ownerSource(deps, user);
  const value = await withCodeChecked(
    deps,
    attempts,
    user.id,
    () => wrongMfaCode(401),
    async (transaction) => {
      const locked = await challenge.reload({ lock: transaction.LOCK.UPDATE, transaction });
      if (!usable(locked)) throw mfaChallengeRefused();
      const outcome = await check(user, source, transaction);
      if (outcome === WRONG) {
        const failedAttempts = locked.failedAttempts + 1;
        const usedUp = failedAttempts >= WRONG_CODES_PER_CHALLENGE;
        await locked.update({ failedAttempts, ...(usedUp && { usedAt: new Date() }) }, { transaction });
        await recordWrongCode(source, user, purpose === 'sign_in' ? 'sign_in' : 'enrolment', transaction, failedAttempts);
        return WRONG;
      }
      await locked.update({ usedAt: new Date() }, { transaction });
      return outcome;
    },
  );
  return { ...(await startSession(deps, user, 'auth.sign_in')), value };
}

/** The second step of signing in: the password step's challenge and a current code or a recovery code give the session's tokens. */
export const verifySignIn: PublicCommand<
  { challenge: string; code: string; attempts: CodeAttempts },
  { user: User; tokens: TokenPair }
> = async ({ challenge, code, attempts }, deps) => {
  const { user, tokens } = await answerChallenge(deps, attempts, challenge, 'sign_in', async (owner, source, transaction) => {
    const mfa = await lockedMfa(owner.id, transaction);
    // Removed since the password step: the challenge answers nothing any more.
    if (!mfa?.enrolledAt) throw mfaChallengeRefused();
    const proof = await proofOf(deps, mfa, code, transaction, { recoveryCode: true });
    if (!proof) return WRONG;
    if (proof === 'recovery_code') await recordRecoveryCodeUse(source, owner, 'sign_in', transaction);
    return proof;
  });
  return { user, tokens };
};

/** With the enrolment token the password step answered (the tenant requires a second factor): starts enrolling. */
export const startRequiredEnrolment: PublicCommand<{ enrolmentToken: string }, Enrolment> = async ({ enrolmentToken }, deps) => {
  const { user } = await challengeOf(enrolmentToken, 'enrol');
  return beginEnrolment(deps, user);
};

/** Confirms the enrolment begun with the enrolment token (used up) and signs in: the session and the recovery codes, once. */
export const confirmRequiredEnrolment: PublicCommand<
  { enrolmentToken: string; code: string; attempts: CodeAttempts },
  { user: User; tokens: TokenPair; recoveryCodes: string[] }
> = async ({ enrolmentToken, code, attempts }, deps) => {
  const { user, tokens, value } = await answerChallenge(deps, attempts, enrolmentToken, 'enrol', (owner, source, transaction) =>
    confirmIn(deps, source, owner, code, transaction),
  );
  return { user, tokens, recoveryCodes: value };
};

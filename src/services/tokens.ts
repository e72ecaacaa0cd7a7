/**
 * Access tokens: short-lived JWTs (HS256 pinned, issuer and audience checked).
 * Refresh tokens: random opaque strings, stored as SHA-256, rotated on every use; presenting
 * one that was already rotated means it leaked, so its whole family (the login) is revoked, its
 * access tokens with it. A family lives
 * at most JWT_REFRESH_TTL_SECONDS from its login: rotation never extends it.
 */
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Op, type Transaction } from 'sequelize';
import type { Config } from '../config';
import { MfaChallenge, RefreshToken, User } from '../models';
import { tenantSuspended } from '../shared/errors';
import type { Role } from '../shared/roles';
import { forgetApiKeysOf } from './api-keys';
import { currentAuthority, forgetAuthority } from './authority';

export const ACCESS_TOKEN_ALGORITHM = 'HS256';

export interface AccessTokenClaims {
  sub: string;
  tid: string | null;
  role: Role;
  /** The user's session version when the token was issued (absent in tokens issued before it existed). */
  ver?: number;
  /** The refresh-token family of the login that issued it, so a password change can keep this session. */
  fid?: string;
  /**
   * When the person signed in (Unix seconds, OpenID Connect's claim): only on the access token a
   * sign-in answers, never on one a refresh token or a password change gives, so a change that asks
   * for the person's presence (enrolling a second factor) can tell a sign-in of a moment ago from
   * a session that has merely gone on.
   */
  auth_time?: number;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export class RefreshTokenRejected extends Error {
  /** Set when the token had been used already: the account whose login's sessions were revoked for it. */
  reusedBy?: { id: string; tenantId: string | null };
}

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

const secretKeys = new WeakMap<Config['jwt'], crypto.KeyObject>();

/**
 * The HS256 secret as a key object, made once per configuration: given a string, jsonwebtoken
 * first tries to parse it as a PEM/DER key on every sign and verify, and the exception that fails
 * costs more than the HMAC itself.
 */
export function jwtSecretKey(config: Config['jwt']): crypto.KeyObject {
  let key = secretKeys.get(config);
  if (!key) {
    key = crypto.createSecretKey(Buffer.from(config.secret));
    secretKeys.set(config, key);
  }
  return key;
}

export function issueAccessToken(
  config: Config['jwt'],
  user: Pick<User, 'id' | 'tenantId' | 'role' | 'sessionVersion'>,
  familyId?: string,
  signedInAt?: Date,
): string {
  const claims: AccessTokenClaims = { sub: user.id, tid: user.tenantId, role: user.role, ver: user.sessionVersion ?? 0, fid: familyId };
  if (signedInAt) claims.auth_time = Math.floor(signedInAt.getTime() / 1000);
  return jwt.sign(claims, jwtSecretKey(config), {
    algorithm: ACCESS_TOKEN_ALGORITHM,
    expiresIn: config.accessTtlSeconds,
    issuer: config.issuer,
    audience: config.audience,
    jwtid: crypto.randomUUID(),
  });
}

async function issueRefreshToken(userId: string, familyId: string, expiresAt: Date, transaction?: Transaction): Promise<string> {
  const raw = crypto.randomBytes(32).toString('base64url');
  await RefreshToken.create({ userId, familyId, tokenHash: sha256(raw), expiresAt }, { transaction });
  return raw;
}

/** A new login (no `rotated` family: its access token says when the person signed in), or a rotation within the family (which keeps the family's end). */
export async function issueTokenPair(
  config: Config['jwt'],
  user: User,
  rotated?: { id: string; expiresAt: Date },
  transaction?: Transaction,
): Promise<TokenPair> {
  const now = new Date();
  const family = rotated ?? { id: crypto.randomUUID(), expiresAt: new Date(now.getTime() + config.refreshTtlSeconds * 1000) };
  return {
    accessToken: issueAccessToken(config, user, family.id, rotated ? undefined : now),
    refreshToken: await issueRefreshToken(user.id, family.id, family.expiresAt, transaction),
    tokenType: 'Bearer',
    expiresIn: config.accessTtlSeconds,
  };
}

type RotatedBy = { id: string; tenantId: string | null };
type RotationOutcome = { pair: TokenPair } | { reusedFamily: string; user: RotatedBy } | { rejected: string };

/**
 * A new pair for a usable refresh token; `alongside` runs in the rotation's transaction (its
 * audit event). RefreshTokenRejected otherwise (`reusedBy` for a used one).
 */
export async function rotateRefreshToken(
  config: Config['jwt'],
  raw: string,
  alongside: (user: RotatedBy, transaction: Transaction) => Promise<void>,
): Promise<TokenPair> {
  const found = await RefreshToken.findOne({ where: { tokenHash: sha256(raw) } });
  if (!found) throw new RefreshTokenRejected('refresh token is invalid or expired');
  // Read before the transaction, which must not wait for a second pooled connection.
  const authority = await currentAuthority(found.userId, { fresh: true });
  // Left unused, so the session goes on once the tenant is reactivated.
  if (authority?.tenantSuspended) throw tenantSuspended();
  const outcome = await RefreshToken.sequelize!.transaction(async (transaction): Promise<RotationOutcome> => {
    // The user row is held until this rotation commits; revokeAllSessions updates it. So a
    // revocation either committed first (and the token reads revoked below) or waits for us and
    // then revokes the token issued here too: no session survives a revocation by racing it.
    const user = await User.findByPk(found.userId, { lock: transaction.LOCK.SHARE, transaction });
    const token = await found.reload({ transaction });
    if (!user || token.revokedAt || token.expiresAt < new Date()) return { rejected: 'refresh token is invalid or expired' };
    // Mark it used atomically: only one presenter of a token can win the rotation.
    const [claimed] = await RefreshToken.update({ usedAt: new Date() }, { where: { id: token.id, usedAt: null }, transaction });
    const rotatedBy = { id: user.id, tenantId: user.tenantId };
    if (claimed === 0) return { reusedFamily: token.familyId, user: rotatedBy };
    if (!authority?.active) return { rejected: 'user is inactive' };
    const pair = await issueTokenPair(config, user, { id: token.familyId, expiresAt: token.expiresAt }, transaction);
    await alongside(rotatedBy, transaction);
    return { pair };
  });
  if ('pair' in outcome) return outcome.pair;
  if ('reusedFamily' in outcome) {
    // Outside the rotation's transaction, so the revocation stays whatever happens next.
    await revokeFamily(outcome.user.id, outcome.reusedFamily);
    const rejected = new RefreshTokenRejected('refresh token was already used; all sessions of this login are revoked');
    rejected.reusedBy = outcome.user;
    throw rejected;
  }
  throw new RefreshTokenRejected(outcome.rejected);
}

/**
 * Ends every session of the user: all refresh-token families are revoked and access tokens
 * already issued stop working. Called when the user's role, password or active flag changes,
 * and by a password reset. A password change keeps the caller's own family (`keepFamilyId`);
 * its access token is still refused, so the caller gets a new one. Within `transaction` when
 * the revocation must commit with the change that causes it.
 *
 * A sign-in half done ends too: the second factor's challenges and enrolment tokens a password
 * step answered before the change (src/domain/identity/mfa.ts) would otherwise start a session
 * after it, for whoever knew the old password.
 */
export async function revokeAllSessions(userId: string, options: { keepFamilyId?: string; transaction?: Transaction } = {}): Promise<void> {
  const revoke = async (transaction: Transaction) => {
    await User.increment('sessionVersion', { where: { id: userId }, transaction });
    const families = options.keepFamilyId ? { familyId: { [Op.ne]: options.keepFamilyId } } : {};
    await RefreshToken.update({ revokedAt: new Date() }, { where: { userId, revokedAt: { [Op.is]: null }, ...families }, transaction });
    await MfaChallenge.update({ usedAt: new Date() }, { where: { userId, usedAt: null }, transaction });
  };
  if (!options.transaction) {
    await User.sequelize!.transaction(revoke);
    forgetUser(userId);
    return;
  }
  await revoke(options.transaction);
  options.transaction.afterCommit(() => forgetUser(userId));
}

/** This process reads anew, from the next request, the user's authority and that of the API keys they created (which follow it). */
function forgetUser(userId: string): void {
  forgetAuthority(userId);
  forgetApiKeysOf(userId);
}

/**
 * Ends one login of the user (a logout, a replayed refresh token): every refresh token of the
 * family is revoked, and its access tokens are refused from the next request (the user's
 * authority lists the family, src/services/authority.ts; this process reads it anew at once,
 * others within AUTHORITY_TTL_MS, as for revokeAllSessions). Under the user's row lock, which a
 * rotation holds until it commits: a rotation of this family under way either commits first (and
 * the token it issued is revoked here too) or waits and then finds its token revoked.
 */
async function revokeFamily(userId: string, familyId: string): Promise<void> {
  await User.sequelize!.transaction(async (transaction) => {
    await User.findByPk(userId, { attributes: ['id'], lock: transaction.LOCK.UPDATE, transaction });
    await RefreshToken.update({ revokedAt: new Date() }, { where: { familyId, revokedAt: { [Op.is]: null } }, transaction });
  });
  forgetAuthority(userId);
}

export async function revokeByRawToken(raw: string, userId: string): Promise<boolean> {
  const token = await RefreshToken.findOne({ where: { tokenHash: sha256(raw), userId } });
  if (!token) return false;
  await revokeFamily(userId, token.familyId);
  return true;
}

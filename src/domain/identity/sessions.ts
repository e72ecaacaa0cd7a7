/** What signing in ends with, however many steps it took (password, then a second factor's code). */
import { User } from '../../models';
import type { AuditSource } from '../audit/record';
import { recordAuthEvent } from './auth-events';
import { issueTokenPair, type TokenPair } from '../../services/tokens';
import { unauthorized } from '../../shared/errors';
import type { CommandDeps } from '../command';

/** The audit source of a change the account's owner makes before signing in: the owner, through this request. */
export const ownerSource = (deps: CommandDeps, user: Pick<User, 'id'>): AuditSource => ({
  ...deps.auditSource,
  actor: { type: 'user', id: user.id },
});

/** The deps of a public command acting, once it knows who, as the account's owner (its audit source). */
export const ownerDeps = (deps: CommandDeps, user: Pick<User, 'id'>): CommandDeps => ({ ...deps, auditSource: ownerSource(deps, user) });

/**
 * Records the sign-in as `event` (with a password, or through the company's identity provider),
 * with any other change of the user's row (e.g. a rehashed password), and issues a new session's
 * tokens. `user` is the row as it was when the password (or code) was checked: a change that ends
 * the user's sessions (a new password, role or status) and committed since ends this sign-in too
 * (401), where its refresh token would otherwise outlive the revocation.
 */
export async function startSession(
  deps: CommandDeps,
  user: User,
  event: 'auth.sign_in' | 'sso.sign_in',
  alsoChange: { passwordHash?: string } = {},
): Promise<{ user: User; tokens: TokenPair }> {
  // The session and its event commit together.
  const tokens = await deps.sequelize.transaction(async (transaction) => {
    // Locked, so a revocation either committed first (and is seen here) or waits for this session and then ends it too.
    const current = await User.findByPk(user.id, { attributes: ['id', 'sessionVersion'], lock: transaction.LOCK.UPDATE, transaction });
    if (current?.sessionVersion !== user.sessionVersion) throw unauthorized('This sign-in is no longer valid; sign in again');
    await user.update({ lastLoginAt: new Date(), ...alsoChange }, { transaction });
    const pair = await issueTokenPair(deps.config.jwt, user, undefined, transaction);
    await recordAuthEvent(ownerDeps(deps, user), { type: event, tenantId: user.tenantId, userId: user.id }, transaction);
    return pair;
  });
  return { user, tokens };
}

/** What signing in ends with, however many steps it took (password, then a second factor's code). */
import type { User } from '../../models';
import type { AuditSource } from '../../services/audit';
import { issueTokenPair, type TokenPair } from '../../services/tokens';
import type { CommandDeps } from '../command';

/** The audit source of a change the account's owner makes before signing in: the owner, through this request. */
export const ownerSource = (deps: CommandDeps, user: Pick<User, 'id'>): AuditSource => ({
  actor: { type: 'user', id: user.id },
  requestId: deps.auditSource.requestId,
});

/** Records the sign-in (with any other change of the user's row, e.g. a rehashed password) and issues a new session's tokens. */
export async function startSession(
  deps: CommandDeps,
  user: User,
  alsoChange: { passwordHash?: string } = {},
): Promise<{ user: User; tokens: TokenPair }> {
  await user.update({ lastLoginAt: new Date(), ...alsoChange });
  return { user, tokens: await issueTokenPair(deps.config.jwt, user) };
}

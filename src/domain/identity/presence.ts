/**
 * Proving, within a session, that the person is at the keyboard, not only that someone holds their
 * session (docs/security.md): for a change that outlives the session.
 */
import { User } from '../../models';
import { verifyPassword } from '../../services/passwords';
import { assertPerson, type AuthUser } from '../../shared/caller';
import { reauthenticationRequired, unauthorized, wrongCurrentPassword } from '../../shared/errors';
import type { CommandDeps } from '../command';
import { recordAuthEvent } from './auth-events';

/**
 * The transport's count of one client's wrong passwords at one address (src/api/auth/login-throttle.ts):
 * it slows that client down, and only the transport knows who the client is.
 */
export interface LoginAttempts {
  /** Refuses a client that must wait first (429); says whether it has failures a success forgets. */
  assertAllowed(): Promise<{ hasFailures: boolean }>;
  /** Counts a wrong password; `delayed` once the client is being slowed down. */
  recordFailure(): Promise<{ delayed: boolean }>;
  /** True once per window for the account's owner: whether to tell them by mail now. */
  firstWarning(ownerId: string): Promise<boolean>;
  reset(): Promise<void>;
}

/** How recent a sign-in stands in for the password where a signed-in user must prove they are there. */
export const RECENT_SIGN_IN_SECONDS = 5 * 60;

/** What proves the person is there, not only their session: the password, or when they signed in (on a sign-in's access token). */
export interface Presence {
  currentPassword?: string;
  signedInAt?: Date;
  /** The transport's count of wrong passwords at the account's address, the sign-in's. */
  passwordAttempts: (email: string) => LoginAttempts;
}

/**
 * The account's password, checked as at sign-in: a wrong one counted with the sign-in's at that
 * address (past a few, the client waits: 429) and on the record as a failed sign-in, so the account's
 * admins see passwords being tried (400 wrong_current_password).
 */
export async function provePassword(
  deps: CommandDeps,
  user: User,
  password: string,
  attemptsAt: (email: string) => LoginAttempts,
): Promise<void> {
  const attempts = attemptsAt(user.email);
  await attempts.assertAllowed();
  if (!(await verifyPassword(password, user.passwordHash, deps.config.passwordHashing))) {
    await attempts.recordFailure();
    await recordAuthEvent(deps, { type: 'auth.sign_in_failed', tenantId: user.tenantId, userId: user.id, reason: 'wrong_password' });
    throw wrongCurrentPassword();
  }
  await attempts.reset();
}

/**
 * Refuses a session alone (403 reauthentication_required) for a change that outlives it (a second
 * factor enrolled, an API key made): whoever holds a stolen access or refresh token, or sits at an
 * unattended browser, would otherwise keep their hold on the account after the session ends or the
 * password changes (their own authenticator locks the owner out; a key works for a year). A wrong
 * password is 400 and counts as a failed sign-in, so a stolen session cannot guess it freely. A sign-in of the last RECENT_SIGN_IN_SECONDS is enough, so an account of the
 * company's sign-in, which has no password its owner knows, can do it too.
 */
export async function assertPresent(
  deps: CommandDeps,
  user: User,
  { currentPassword, signedInAt, passwordAttempts }: Presence,
): Promise<void> {
  if (currentPassword !== undefined) return provePassword(deps, user, currentPassword, passwordAttempts);
  if (signedInAt && Date.now() - signedInAt.getTime() <= RECENT_SIGN_IN_SECONDS * 1000) return;
  throw reauthenticationRequired(RECENT_SIGN_IN_SECONDS / 60);
}

/**
 * The caller, a person proven there (`assertPresent`), before `change`: an API key is refused first
 * (403 person_required), since a key is nobody at a keyboard, whatever password it were sent with.
 */
export async function assertCallerPresent(deps: CommandDeps, caller: AuthUser, presence: Presence, change: string): Promise<User> {
  assertPerson(caller, change);
  const user = await User.findByPk(caller.id);
  if (!user) throw unauthorized();
  await assertPresent(deps, user, presence);
  return user;
}

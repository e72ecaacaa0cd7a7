/**
 * Proving, within a session, that the person is at the keyboard, not only that someone holds their
 * session (docs/security.md): for a change that outlives the session.
 */
import type { User } from '../../models';
import { verifyPassword } from '../../services/passwords';
import { reauthenticationRequired, wrongCurrentPassword } from '../../shared/errors';
import type { CommandDeps } from '../command';

/** How recent a sign-in stands in for the password where a signed-in user must prove they are there. */
export const RECENT_SIGN_IN_SECONDS = 5 * 60;

/** What proves the person is there, not only their session: the password, or when they signed in (on a sign-in's access token). */
export interface Presence {
  currentPassword?: string;
  signedInAt?: Date;
}

/**
 * Refuses a session alone (403 reauthentication_required) for a change that outlives it (a second
 * factor enrolled, an API key made): whoever holds a stolen access or refresh token, or sits at an
 * unattended browser, would otherwise keep their hold on the account after the session ends or the
 * password changes (their own authenticator locks the owner out; a key works for a year). A wrong
 * password is 400. A sign-in of the last RECENT_SIGN_IN_SECONDS is enough, so an account of the
 * company's sign-in, which has no password its owner knows, can do it too.
 */
export async function assertPresent(deps: CommandDeps, user: User, { currentPassword, signedInAt }: Presence): Promise<void> {
  if (currentPassword !== undefined) {
    if (!(await verifyPassword(currentPassword, user.passwordHash, deps.config.passwordHashing))) throw wrongCurrentPassword();
    return;
  }
  if (signedInAt && Date.now() - signedInAt.getTime() <= RECENT_SIGN_IN_SECONDS * 1000) return;
  throw reauthenticationRequired(RECENT_SIGN_IN_SECONDS / 60);
}

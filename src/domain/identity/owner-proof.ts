/**
 * Proving, outside any session, that whoever follows a mailed link is the account's owner, by what
 * signing in would ask (docs/security.md): a link in a mailbox is read by scanners, forwarded and seen
 * on shared screens, so for a change in the owner's name (a new address, an acknowledgement, which is
 * their signature) the link alone is not enough. Within a session, ./presence.ts.
 */
import type { User } from '../../models';
import type { CommandDeps } from '../command';
import { hasSecondFactor, proveSecondFactor, type CodeAttempts, type CodeUse } from './mfa';
import { provePassword, type LoginAttempts } from './presence';
import { ownerDeps } from './sessions';

export interface OwnerProof {
  password: string;
  /** The second factor's code, asked only of an account that has one enrolled. */
  code?: string;
  /** The transport's count of wrong passwords at the account's address, the sign-in's. */
  passwordAttempts: (email: string) => LoginAttempts;
  codeAttempts: CodeAttempts;
}

/**
 * The account's password (a wrong one counted with the sign-in's at that address and on the record as
 * a failed sign-in, so its admins see passwords being tried: 400 wrong_current_password) and, if one is
 * enrolled, its second factor (400 wrong_mfa_code, counted as any wrong code, `during` on its record).
 */
export async function proveOwner(deps: CommandDeps, user: User, proof: OwnerProof, during: CodeUse): Promise<void> {
  await provePassword(deps, user, proof.password, proof.passwordAttempts);
  if (await hasSecondFactor(user.id)) await proveSecondFactor(ownerDeps(deps, user), proof.codeAttempts, user, proof.code ?? '', during);
}

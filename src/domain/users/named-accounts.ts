/**
 * Naming another account (a colleague's manager, a compliance requirement's owner, a claim's
 * assignee): an account whose invitation has not been accepted yet (its link not followed,
 * `emailVerifiedAt` null) owns nothing, so that it can give way to the account its address's owner
 * chooses (docs/onboarding.md, docs/subscriptions.md); naming it would make it own something.
 */
import { ForeignKeyConstraintError, QueryTypes, type Transaction } from 'sequelize';
import { User } from '../../models';
import { conflict, unprocessable } from '../../shared/errors';

/** 422 on `field` when `account` has not accepted its invitation yet; `role` names it in the message ("The manager"). */
export function assertInvitationAccepted(account: Pick<User, 'emailVerifiedAt'>, field: string, role: string): void {
  if (account.emailVerifiedAt !== null) return;
  throw unprocessable(`${role} has not accepted their invitation yet; name them once they have`, [
    { field, message: 'has not accepted their invitation yet' },
  ]);
}

/**
 * What an account waiting for its link may have been named before naming it was refused: a
 * requirement's owner (soft-deleted requirements too: the foreign key counts them), a colleague's
 * manager, a claim's assignee.
 */
const NAMED_ACCOUNT = `SELECT EXISTS (SELECT 1 FROM compliance_requirements WHERE owner_id = :id)
    OR EXISTS (SELECT 1 FROM users WHERE manager_id = :id)
    OR EXISTS (SELECT 1 FROM claims WHERE assignee_id = :id) AS named`;

const stillNamed = () =>
  conflict(
    'An earlier account waiting for this address is still named in its tenant (a requirement owner, a manager or a claim assignee), so it cannot give way; that tenant must name someone else first',
  );

/**
 * Deletes an account still waiting for its link, which gives way to the account its address's
 * owner chose (a registration's admin, a sign-up, a staff-issued policy, another invitation). One
 * its tenant named before that was refused is kept, and the request refused (409) with that
 * reason: an owner or a claim's handler is an accountability its tenant must hand on, not one to
 * clear behind its back (and a claim's run keeps its assignee). Any other reference is refused the
 * same way, never with the constraint's text.
 */
export async function giveWay(waiting: User, transaction: Transaction): Promise<void> {
  const [{ named }] = await User.sequelize!.query<{ named: boolean }>(NAMED_ACCOUNT, {
    replacements: { id: waiting.id },
    type: QueryTypes.SELECT,
    transaction,
  });
  if (named) throw stillNamed();
  await waiting.destroy({ transaction }).catch((err: unknown) => {
    throw err instanceof ForeignKeyConstraintError ? stillNamed() : err;
  });
}

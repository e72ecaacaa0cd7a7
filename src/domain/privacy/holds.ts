/**
 * Legal holds (docs/privacy.md, Erasure, retention and legal holds): a tenant admin or compliance
 * officer holds a person's data for a matter, and releases it when the matter ends. While one is
 * active no erasure of the person is accepted, and a run in flight stops before its next step.
 * Placing a hold locks the person's users row, as each erasure step does, so the two never pass
 * each other. Nobody decides a hold on themselves: the person it concerns, under any account on
 * their mailbox, neither places nor releases it (403 `same_person`). An account whose invitation is
 * not accepted yet holds no data of a person and may give way to another account on its address,
 * so a hold does not name it (422, as src/domain/users/named-accounts.ts refuses naming it anywhere).
 */
import type { LOCK, Transaction } from 'sequelize';
import { PrivacyLegalHold, User } from '../../models';
import { findVisible, tenantOf } from '../../access/core';
import { legalHoldAccess } from '../../access/privacy-erasures';
import { notFound, samePerson } from '../../shared/errors';
import type { AuthUser } from '../../shared/caller';
import { isOnePersonWith } from '../identity/mailboxes';
import { audited } from '../audited';
import type { Command } from '../command';
import { assertInvitationAccepted } from '../users/named-accounts';

/** A user of the tenant, its row locked for the transaction; another tenant's or an unknown one is 404. */
async function lockedPerson(tenantId: string, userId: string, transaction: Transaction, lock: LOCK): Promise<User> {
  const user = await User.findOne({ where: { id: userId, tenantId }, lock, transaction });
  if (!user) throw notFound('User');
  return user;
}

/** The user, its row locked `FOR UPDATE`: as an erasure's request and steps, a legal hold and an export lock it. */
export const personLockedForUpdate = (tenantId: string, userId: string, transaction: Transaction) =>
  lockedPerson(tenantId, userId, transaction, transaction.LOCK.UPDATE);

/**
 * The user, its row locked `FOR SHARE`: against a change of the row, such as an erasure's, but not against the key
 * checks of rows written naming the person.
 */
export const personLockedForShare = (tenantId: string, userId: string, transaction: Transaction) =>
  lockedPerson(tenantId, userId, transaction, transaction.LOCK.SHARE);

/**
 * Refuses a hold's placing or release by the person it concerns (403 `same_person`), judged by mailbox as claims
 * judge a claimant: lifting the preservation kept for a matter about oneself, or keeping one's own data from an
 * erasure, is no one's own decision.
 */
async function assertNotTheHeld(caller: AuthUser, userId: string, decision: string): Promise<void> {
  if (await isOnePersonWith(caller.id, [userId])) throw samePerson(`The person a legal hold concerns may not ${decision} it: another must`);
}

export const placeLegalHold: Command<{ userId: string; reason: string }, PrivacyLegalHold> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  return audited(
    deps,
    async (transaction) => {
      const person = await personLockedForUpdate(tenantId, input.userId, transaction);
      await assertNotTheHeld(caller, person.id, 'place');
      assertInvitationAccepted(person, 'userId', 'The person');
      return PrivacyLegalHold.create({ tenantId, userId: person.id, reason: input.reason, placedById: caller.id }, { transaction });
    },
    (hold) => ({ tenantId, action: 'privacy_hold.place', entityType: 'privacy_hold', entityId: hold.id, after: hold }),
  );
};

/** Releases a hold of the caller's tenant, not on the caller; releasing it again changes nothing. */
export const releaseLegalHold: Command<{ id: string }, PrivacyLegalHold> = async (caller, { id }, deps) => {
  const hold = await findVisible(caller, legalHoldAccess, id);
  if (hold.releasedAt) return hold;
  await assertNotTheHeld(caller, hold.userId, 'release');
  const before = hold.toJSON();
  return audited(
    deps,
    (transaction) => hold.update({ releasedAt: new Date(), releasedById: caller.id }, { transaction }),
    (after) => ({
      tenantId: after.tenantId,
      action: 'privacy_hold.release',
      entityType: 'privacy_hold',
      entityId: after.id,
      before,
      after,
    }),
  );
};

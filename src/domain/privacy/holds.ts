/**
 * Legal holds (docs/privacy.md, Erasure, retention and legal holds): a tenant admin or compliance
 * officer holds a person's data for a matter, and releases it when the matter ends. While one is
 * active no erasure of the person is accepted, and a run in flight stops before its next step.
 * Placing a hold locks the person's users row, as each erasure step does, so the two never pass
 * each other.
 */
import type { Transaction } from 'sequelize';
import { PrivacyLegalHold, User } from '../../models';
import { findVisible, tenantOf } from '../../access/core';
import { legalHoldAccess } from '../../access/privacy-erasures';
import { notFound } from '../../shared/errors';
import { audited } from '../audited';
import type { Command } from '../command';

/** A user of the tenant, its row locked for the transaction; another tenant's or an unknown one is 404. */
export async function lockedPerson(tenantId: string, userId: string, transaction: Transaction): Promise<User> {
  const user = await User.findOne({ where: { id: userId, tenantId }, lock: transaction.LOCK.UPDATE, transaction });
  if (!user) throw notFound('User');
  return user;
}

export const placeLegalHold: Command<{ userId: string; reason: string }, PrivacyLegalHold> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  return audited(
    deps,
    async (transaction) => {
      const person = await lockedPerson(tenantId, input.userId, transaction);
      return PrivacyLegalHold.create({ tenantId, userId: person.id, reason: input.reason, placedById: caller.id }, { transaction });
    },
    (hold) => ({ tenantId, action: 'privacy_hold.place', entityType: 'privacy_hold', entityId: hold.id, after: hold }),
  );
};

/** Releases a hold of the caller's tenant; releasing it again changes nothing. */
export const releaseLegalHold: Command<{ id: string }, PrivacyLegalHold> = async (caller, { id }, deps) => {
  const hold = await findVisible(caller, legalHoldAccess, id);
  if (hold.releasedAt) return hold;
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

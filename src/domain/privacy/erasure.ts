/**
 * A person's erasure (docs/privacy.md, Erasure, retention and legal holds): a tenant admin asks
 * for it, and the run `privacy-erasure-<id>`, started through the outbox with the erasure's row
 * and audit event, carries it out step by step (src/activities/privacy-erasure.ts). The person's
 * users row is locked while the request checks their legal holds, as placing a hold locks it, so
 * a held person's erasure is refused (409 `legal_hold`) and nothing is written; so is that of a
 * claimant whose claim is still open (409 `claim_open`, naming the claims), which needs their data, and that of a
 * policyholder the insurer owes a credit or a refund (409 `money_owed`, naming the policies). The erasure's ID
 * follows from the Idempotency-Key, so a repeat finds the erasure it made and starts nothing.
 */
import crypto from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import {
  ERASED_EMAIL_DOMAIN,
  privacyErasureRun,
  type ErasureStatus,
  type KeptRowsDeletion,
  type PrivacyErasureWorkflow,
  type TableErasure,
} from '../../contracts/privacy-erasure';
import { Claim, PrivacyErasure, PrivacyExport, PrivacyLegalHold, User } from '../../models';
import { tenantOf } from '../../access/core';
import { recordAudit } from '../audit/record';
import { idFromRequest } from '../../shared/deterministic-id';
import { claimOpen, conflict, legalHold, moneyOwed, unprocessable } from '../../shared/errors';
import { moneyOwedTo } from '../ledger/statement';
import type { Command } from '../command';
import { createWithRun } from '../runs';
import { personLockedForUpdate } from './holds';

export interface ErasureView {
  id: string;
  userId: string;
  requestedById: string;
  reason: string;
  status: ErasureStatus;
  stepsDone: string[];
  tables: Record<string, TableErasure>;
  /** The deletion of the kept rows once due: the next day it looks at them, and per table what it deleted and when. */
  keptRows: { dueOn: string | null; deleted: Record<string, KeptRowsDeletion> };
  workflowId: string;
  runId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export function erasureView(row: PrivacyErasure): ErasureView {
  const { id, userId, requestedById, reason, status, stepsDone, tables, workflowId, runId, createdAt, finishedAt } = row;
  const keptRows = { dueOn: row.keptRowsDueOn ?? null, deleted: row.keptRowsDeleted ?? {} };
  return { id, userId, requestedById, reason, status, stepsDone, tables, keptRows, workflowId, runId, createdAt, finishedAt };
}

export const requestErasure: Command<{ userId: string; reason: string }, ErasureView> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  if (input.userId === caller.id) throw unprocessable('Another tenant admin erases your account', [{ field: 'userId', message: 'is you' }]);
  const key = deps.idempotencyKey;
  const erasureId = key ? idFromRequest('privacy-erasure', caller.id, key, input.userId) : crypto.randomUUID();
  // A repeat whose answer was lost finds the erasure it made, and starts nothing.
  const earlier = key ? await PrivacyErasure.findOne({ where: { id: erasureId, tenantId } }) : null;
  if (earlier) return erasureView(earlier);

  const workflowId = privacyErasureRun.id(erasureId);
  const erasure = await createWithRun<PrivacyErasureWorkflow, PrivacyErasure>(deps, async (transaction) => {
    const person = await personLockedForUpdate(tenantId, input.userId, transaction);
    if (await PrivacyLegalHold.isHeld(person.id, transaction)) throw legalHold();
    // An open claim's assessment, mails and payments need the claimant's documents, address and name (Art. 17(3)(b), (e)).
    const openClaims = await Claim.findAll({
      attributes: ['id', 'claimNumber'],
      where: { tenantId, claimantId: person.id, status: { [Op.ne]: 'closed' } },
      order: [['claimNumber', 'ASC']],
      transaction,
    });
    if (openClaims.length > 0) throw claimOpen(openClaims);
    // Money the insurer holds for them is paid back to their name and account, which the erasure removes (Art. 17(3)(b)).
    const owed = await moneyOwedTo(deps.sequelize, tenantId, person.id, transaction);
    if (owed.length > 0) throw moneyOwed(owed);
    // Its ZIP would be stored after the erasure removed the person's exports: erase once it is ready.
    if (await PrivacyExport.count({ where: { userId: person.id, status: ['requested', 'gathering'] }, transaction }))
      throw conflict('An export of this person’s data is being gathered: ask again once it is ready', [
        { field: 'userId', message: 'has an export in progress', rule: 'export_in_progress' },
      ]);
    const row = await PrivacyErasure.create(
      { id: erasureId, tenantId, userId: person.id, requestedById: caller.id, reason: input.reason, workflowId },
      { transaction },
    );
    await recordAudit(
      deps.auditSource,
      {
        tenantId,
        action: 'privacy_erasure.request',
        entityType: 'privacy_erasure',
        entityId: erasureId,
        // IDs only: the audit trail is never rewritten, so it must not keep what the erasure removes.
        after: { userId: person.id, workflowId },
      },
      transaction,
    );
    return {
      row,
      start: {
        workflowType: privacyErasureRun.type,
        args: [{ tenantId, erasureId }],
        tenantId,
        status: 'erasing',
        summary: `Erase user ${person.id}`,
      },
    };
  });
  return erasureView(erasure);
};

/**
 * A person counts as erased from the moment their erasure is accepted: they asked to be forgotten,
 * and the run may not yet have reached their users row. An erasure a legal hold blocked erased nothing more.
 */
const ERASING = { [Op.ne]: 'blocked' } as const;

/**
 * What an e-mail about to be sent owes to erasures (docs/privacy.md, Nothing is sent to an erased
 * person): among its recipients (users by ID, addresses), the addresses of people being or already
 * erased, and their erasures. A pseudonym's address is one whatever its row says.
 */
export async function erasedRecipients(
  tenantId: string | null,
  recipients: { userIds: readonly string[]; emails: readonly string[] },
): Promise<{ emails: string[]; erasureIds: string[] }> {
  const pseudonyms = recipients.emails.filter((email) => email.endsWith(`@${ERASED_EMAIL_DOMAIN}`));
  if (tenantId === null) return { emails: pseudonyms, erasureIds: [] };
  const people = await User.findAll({
    attributes: ['id', 'email'],
    where: { tenantId, [Op.or]: [{ id: [...recipients.userIds] }, { email: [...recipients.emails] }] },
  });
  if (people.length === 0) return { emails: pseudonyms, erasureIds: [] };
  const erasures = await PrivacyErasure.findAll({
    attributes: ['id', 'userId'],
    where: { tenantId, userId: people.map((person) => person.id), status: ERASING },
    order: [['createdAt', 'ASC']],
  });
  const erased = new Set(erasures.map((erasure) => erasure.userId));
  const emails = people.filter((person) => erased.has(person.id) && recipients.emails.includes(person.email)).map((person) => person.email);
  return { emails: [...new Set([...pseudonyms, ...emails])], erasureIds: erasures.map((erasure) => erasure.id) };
}

/** Whether the person is being or has been erased. */
export async function isErased(tenantId: string, userId: string, transaction?: Transaction): Promise<boolean> {
  return (await PrivacyErasure.count({ where: { tenantId, userId, status: ERASING }, transaction })) > 0;
}

/**
 * Refuses with `refusal` what would handle an erased person again: a new run of their claim (`claimantErased`;
 * docs/privacy.md, Reopening an erased claimant's claim), a new claim of theirs, their account's reactivation. The
 * person's users row is locked as the erasure's request and steps lock it, so such a change and an erasure of the
 * person never pass each other: one of them sees the other and is refused. `lockPerson` takes the lock: a change of the
 * account `personLockedForUpdate`; what only writes rows naming the person (a claim filed or reopened)
 * `personLockedForShare`, since an update lock also blocked the key checks of a policy change applied at the same
 * moment, which held the policy the claim waited for (a deadlock, answered 503).
 */
export async function refuseErasedPerson(
  tenantId: string,
  userId: string,
  transaction: Transaction,
  refusal: () => Error,
  lockPerson: typeof personLockedForUpdate,
): Promise<void> {
  await lockPerson(tenantId, userId, transaction);
  if (await isErased(tenantId, userId, transaction)) throw refusal();
}

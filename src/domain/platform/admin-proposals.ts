/**
 * A platform admin is added or reactivated by two platform admins (docs/onboarding.md, Platform
 * admins): one proposes, a second, another person, approves, and only then can the account act.
 * One admin alone could otherwise add an admin account on a second mailbox of their own and approve
 * their own proposals elsewhere (a tenant's offboarding) as "another" admin.
 *
 * - Proposing an addition makes the account inactive, with a password nobody knows and no mailed link:
 *   it cannot sign in, ask for a reset or hold a session, and no count of active admins includes it.
 * - Approving (neither the proposer nor the proposed admin, under any account on their mailboxes:
 *   `isOnePersonWith`) activates it in the proposal's transaction; an addition's set-password link is
 *   minted there and mailed once it commits.
 * - Declining (any platform admin, the proposer included: that is how a proposal is withdrawn) leaves
 *   the account inactive. A declined addition keeps its address; proposing its reactivation is the way back.
 *
 * Every record is the platform's: the proposal row and its audit events (`platform_admin.propose`,
 * `.approve`, `.decline`, tenant null, the admin as entity). The operator's CLI (scripts/admin.ts) adds
 * and reactivates admins without a proposal: that is how the first one exists, and the second when one
 * is alone.
 */
import crypto from 'node:crypto';
import { UniqueConstraintError, type Transaction } from 'sequelize';
import { PlatformAdminProposal, User } from '../../models';
import type { PlatformAdminProposalKind, PlatformAdminProposalStatus } from '../../models/platform-admin-proposal';
import { findVisible } from '../../access/core';
import { assertPlatformAdmin, platformAdminAccess } from '../../access/platform';
import type { AuthUser } from '../../shared/caller';
import { idFromRequest } from '../../shared/deterministic-id';
import { conflict, samePerson } from '../../shared/errors';
import { mailContextOf } from '../../services/notifications/context';
import { hashPassword } from '../../services/passwords';
import { mailAfterAnswer } from '../identity/account-mails';
import { isOnePersonWith } from '../identity/mailboxes';
import { mintResetToken, SET_PASSWORD_TTL_MS } from '../identity/password-resets';
import { recordAudit } from '../audit/record';
import { audited } from '../audited';
import type { Command, CommandDeps } from '../command';
import { activatePlatformAdmin } from './admin-status';
import { setPasswordMail } from './mails';

export interface NewPlatformAdmin {
  email: string;
  fullName: string;
}

export interface ProposalView {
  id: string;
  kind: PlatformAdminProposalKind;
  status: PlatformAdminProposalStatus;
  proposedById: string;
  decidedById: string | null;
  decidedAt: Date | null;
  declineReason: string | null;
  createdAt: Date;
}

/** A platform admin as the API shows one: the account, and its latest proposal (null for one never proposed: the CLI's). */
export type PlatformAdminView = ReturnType<User['toJSON']> & { approval: ProposalView | null };

const proposalViewOf = (proposal: PlatformAdminProposal): ProposalView => ({
  id: proposal.id,
  kind: proposal.kind,
  status: proposal.status,
  proposedById: proposal.proposedById,
  decidedById: proposal.decidedById,
  decidedAt: proposal.decidedAt,
  declineReason: proposal.declineReason,
  createdAt: proposal.createdAt,
});

/** The admins with each one's latest proposal, for a page at once. */
export async function platformAdminViews(admins: User[]): Promise<PlatformAdminView[]> {
  const proposals = await PlatformAdminProposal.findAll({
    where: { adminId: admins.map((admin) => admin.id) },
    order: [['createdAt', 'DESC']],
  });
  return admins.map((admin) => {
    const latest = proposals.find((proposal) => proposal.adminId === admin.id);
    return { ...admin.toJSON(), approval: latest ? proposalViewOf(latest) : null };
  });
}

const viewOf = async (admin: User): Promise<PlatformAdminView> => (await platformAdminViews([admin]))[0];

const onePending = () =>
  conflict('A proposal for this platform admin awaits a decision already', [{ field: 'approval', message: 'is pending' }]);

/** Records the proposal and its audit event within the transaction that makes or finds the admin. */
async function propose(
  caller: AuthUser,
  admin: User,
  kind: PlatformAdminProposalKind,
  deps: Pick<CommandDeps, 'auditSource'>,
  transaction: Transaction,
): Promise<void> {
  const proposal = await PlatformAdminProposal.create({ adminId: admin.id, kind, proposedById: caller.id }, { transaction });
  await recordAudit(
    deps.auditSource,
    {
      tenantId: null,
      action: 'platform_admin.propose',
      entityType: 'user',
      entityId: admin.id,
      after: { proposalId: proposal.id, kind, proposal: 'pending' },
    },
    transaction,
  );
}

/**
 * `POST /platform/admins`: the account is made inactive, with a password nobody knows and no link
 * (the approval mints and mails it), and its addition proposed. 409 if the address has any account.
 */
export const createPlatformAdmin: Command<NewPlatformAdmin, PlatformAdminView> = async (caller, { email, fullName }, deps) => {
  assertPlatformAdmin(caller);
  const key = deps.idempotencyKey;
  const id = key ? idFromRequest('platform-admin', caller.id, key) : crypto.randomUUID();
  // A repeat whose answer was lost finds the admin it proposed.
  const earlier = key ? await User.findOne({ where: { id, role: 'platform_admin', tenantId: null } }) : null;
  if (earlier) return viewOf(earlier);
  const passwordHash = await hashPassword(crypto.randomBytes(32).toString('base64url'), deps.config.passwordHashing);
  try {
    const admin = await deps.sequelize.transaction(async (transaction) => {
      const created = await User.create(
        { id, tenantId: null, email, fullName, role: 'platform_admin', passwordHash, isActive: false },
        { transaction },
      );
      await recordAudit(
        deps.auditSource,
        { tenantId: null, action: 'user.create', entityType: 'user', entityId: created.id, after: created },
        transaction,
      );
      await propose(caller, created, 'add', deps, transaction);
      return created;
    });
    return viewOf(admin);
  } catch (err) {
    // The unique index decides, so two requests for one address cannot both make an account.
    if (err instanceof UniqueConstraintError)
      throw conflict('This e-mail address already has an account', [{ field: 'email', message: 'is taken' }]);
    throw err;
  }
};

/** `POST /platform/admins/:id/reactivate`: a deactivated admin's return, proposed; 409 if active or proposed already. */
export const proposeReactivation: Command<{ id: string }, PlatformAdminView> = async (caller, { id }, deps) => {
  const admin = await findVisible(caller, platformAdminAccess, id);
  if (admin.isActive) throw conflict('This platform admin is active already', [{ field: 'isActive', message: 'must be false' }]);
  try {
    await deps.sequelize.transaction((transaction) => propose(caller, admin, 'reactivate', deps, transaction));
  } catch (err) {
    // The partial unique index decides: one proposal per admin awaits a decision.
    if (err instanceof UniqueConstraintError) throw onePending();
    throw err;
  }
  return viewOf(admin);
};

type Decision = 'approved' | 'declined';

/**
 * The admin and their proposal awaiting a decision; 409 when none awaits (never proposed, decided
 * already: a retry with its Idempotency-Key is answered as the first time, one without is told so).
 */
async function toDecide(caller: AuthUser, id: string): Promise<{ admin: User; proposal: PlatformAdminProposal }> {
  const admin = await findVisible(caller, platformAdminAccess, id);
  const proposal = await PlatformAdminProposal.findOne({ where: { adminId: admin.id, status: 'pending' } });
  if (!proposal)
    throw conflict('No proposal for this platform admin awaits a decision', [{ field: 'approval', message: 'must be pending' }]);
  return { admin, proposal };
}

/** Moves the proposal from pending to `decision`; of two decisions at once the second is 409. */
async function decide(
  proposal: PlatformAdminProposal,
  fields: { status: Decision; decidedById: string; declineReason?: string },
  transaction: Transaction,
): Promise<void> {
  const [count] = await PlatformAdminProposal.update(
    { ...fields, decidedAt: new Date() },
    { where: { id: proposal.id, status: 'pending' }, transaction },
  );
  if (count === 0) throw conflict('The proposal was decided meanwhile', [{ field: 'approval', message: 'must be pending' }]);
}

/**
 * `POST /platform/admins/:id/approve`: by a platform admin who is neither the proposer nor the proposed
 * admin (403 `same_person`, nothing changed); the admin becomes active and, for an addition, is mailed
 * the set-password link.
 */
export const approvePlatformAdmin: Command<{ id: string }, PlatformAdminView> = async (caller, { id }, deps) => {
  const { admin, proposal } = await toDecide(caller, id);
  if (await isOnePersonWith(caller.id, [proposal.proposedById, admin.id]))
    throw samePerson('A platform admin proposed by you, or one who is you, needs a second platform admin to approve it');
  const token = await audited(
    deps,
    async (transaction) => {
      await decide(proposal, { status: 'approved', decidedById: caller.id }, transaction);
      await activatePlatformAdmin(admin, transaction);
      return proposal.kind === 'add' ? mintResetToken(admin.id, SET_PASSWORD_TTL_MS, transaction) : null;
    },
    () => ({
      tenantId: null,
      action: 'platform_admin.approve',
      entityType: 'user',
      entityId: admin.id,
      before: { isActive: false, proposal: 'pending' },
      after: { isActive: true, proposal: 'approved', proposalId: proposal.id, kind: proposal.kind },
    }),
  );
  const approved = await admin.reload();
  if (token) {
    const context = await mailContextOf(null, approved.locale);
    mailAfterAnswer(deps, [() => setPasswordMail(deps.config, approved, token, SET_PASSWORD_TTL_MS, context)]);
  }
  return viewOf(approved);
};

/** `POST /platform/admins/:id/decline {reason}`: any platform admin, the proposer included; the admin stays inactive. */
export const declinePlatformAdmin: Command<{ id: string; reason: string }, PlatformAdminView> = async (caller, { id, reason }, deps) => {
  const { admin, proposal } = await toDecide(caller, id);
  await audited(
    deps,
    (transaction) => decide(proposal, { status: 'declined', decidedById: caller.id, declineReason: reason }, transaction),
    () => ({
      tenantId: null,
      action: 'platform_admin.decline',
      entityType: 'user',
      entityId: admin.id,
      before: { proposal: 'pending' },
      after: { proposal: 'declined', proposalId: proposal.id, kind: proposal.kind, declineReason: reason },
    }),
  );
  return viewOf(admin);
};

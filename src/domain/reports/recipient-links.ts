/**
 * Who a scheduled report may reach (docs/reports.md, Who receives a report): an active staff
 * member of the definition's tenant whose role may read its kind of report, or, but for the finance
 * report, an address that confirmed, by following the link mailed to it, that it wants this definition's report. The link is a single-use token stored as its
 * SHA-256 (./single-use-tokens.ts), one per definition and address; nothing of the report is
 * sent to an address before it is followed. Read by the commands that save a definition, by its
 * view, and by the delivery, which sends to the addresses that may receive it and records the rest.
 */
import { Op, type Transaction } from 'sequelize';
import { DELIVERED_RECIPIENT_STATUSES, type RecipientStatus } from '../../contracts/scheduled-report';
import { ReportDefinition, ReportRecipientConfirmation, User } from '../../models';
import { reachesOutsideStaff, seesKind } from '../../access/reports';
import { roleMay } from '../../access/verbs';
import { unprocessable } from '../../shared/errors';
import { VerificationTokenRejected } from '../identity/email-verifications';
import { hashToken, mintToken, tokenProblem } from '../../services/single-use-tokens';

export interface RecipientState {
  email: string;
  status: RecipientStatus;
}

type Recipients = Pick<ReportDefinition, 'id' | 'tenantId' | 'kind' | 'recipients'>;

/** Each definition's recipients with their status, in the order the definition lists them (two queries for any number of definitions). */
export async function recipientStates(definitions: Recipients[], transaction?: Transaction): Promise<Map<string, RecipientState[]>> {
  if (definitions.length === 0) return new Map();
  const emails = [...new Set(definitions.flatMap((d) => d.recipients))];
  const ids = definitions.map((d) => d.id);
  const [users, confirmed] = await Promise.all([
    User.findAll({
      where: { email: { [Op.in]: emails }, tenantId: { [Op.in]: [...new Set(definitions.map((d) => d.tenantId))] } },
      attributes: ['tenantId', 'email', 'role', 'isActive', 'emailVerifiedAt'],
      transaction,
    }),
    ReportRecipientConfirmation.findAll({
      where: { definitionId: { [Op.in]: ids }, confirmedAt: { [Op.ne]: null } },
      attributes: ['definitionId', 'email'],
      transaction,
    }),
  ]);
  const accounts = new Map(users.map((u) => [`${u.tenantId}:${u.email}`, u]));
  const confirmations = new Set(confirmed.map((c) => `${c.definitionId}:${c.email}`));
  const statusOf = (definition: Recipients, email: string): RecipientStatus => {
    const account = accounts.get(`${definition.tenantId}:${email}`);
    // A deactivated or unproven account of the tenant is nobody to send its data to, and is offered no link.
    if (account && !(account.isActive && account.emailVerifiedAt)) return 'inactive';
    // Staff receive only what their role may read at its GET route: a saved report is no way round that rule.
    if (account && roleMay(account.role, 'receiveReportUnconfirmed'))
      return seesKind(account.role, definition.kind) ? 'member' : 'not_permitted';
    // Anyone else, a customer of the tenant included, is outside the company: only once confirmed, and never the finance figures.
    if (!reachesOutsideStaff(definition.kind)) return 'not_permitted';
    return confirmations.has(`${definition.id}:${email}`) ? 'confirmed' : 'pending';
  };
  return new Map(definitions.map((d) => [d.id, d.recipients.map((email) => ({ email, status: statusOf(d, email) }))]));
}

/** One definition's recipients with their status. */
export async function recipientStatesOf(definition: Recipients, transaction?: Transaction): Promise<RecipientState[]> {
  return (await recipientStates([definition], transaction)).get(definition.id)!;
}

export const mayReceive = (state: RecipientState) => DELIVERED_RECIPIENT_STATUSES.includes(state.status);

/** Refuses (422, naming each address) recipients who may not read the definition's kind of report: staff by their role, anyone outside the staff for the finance report. */
export async function assertRecipientsMayRead(definition: Recipients): Promise<void> {
  const refused = (await recipientStatesOf(definition)).flatMap((state, index) =>
    state.status === 'not_permitted' ? [{ email: state.email, field: `recipients.${index}` }] : [],
  );
  if (refused.length === 0) return;
  throw unprocessable(
    `Not every recipient may read the ${definition.kind} report: ${refused.map((r) => r.email).join(', ')}`,
    refused.map(({ email, field }) => ({ field, message: `${email} may not read the ${definition.kind} report` })),
  );
}

/**
 * Brings the definition's links in line with its recipients, in the transaction that saved them:
 * an address no longer listed loses its link and its confirmation (listed again, it confirms
 * again), and each pending address without a link that still works gets a new one. Answers the
 * links to mail.
 */
export async function mintRecipientLinks(
  definition: Recipients,
  ttlMs: number,
  transaction: Transaction,
): Promise<Array<{ email: string; token: string }>> {
  await ReportRecipientConfirmation.destroy({
    where: { definitionId: definition.id, email: { [Op.notIn]: definition.recipients } },
    transaction,
  });
  const pending = (await recipientStatesOf(definition, transaction)).filter((r) => r.status === 'pending').map((r) => r.email);
  const live = await ReportRecipientConfirmation.findAll({
    where: { definitionId: definition.id, email: { [Op.in]: pending }, expiresAt: { [Op.gt]: new Date() } },
    attributes: ['email'],
    transaction,
  });
  const linked = new Set(live.map((row) => row.email));
  const links: Array<{ email: string; token: string }> = [];
  for (const email of pending.filter((e) => !linked.has(e))) {
    const { token, tokenHash } = mintToken();
    // Replaces an expired link of the same address, if any: one row per definition and address.
    await ReportRecipientConfirmation.destroy({ where: { definitionId: definition.id, email }, transaction });
    await ReportRecipientConfirmation.create(
      { tenantId: definition.tenantId, definitionId: definition.id, email, tokenHash, expiresAt: new Date(Date.now() + ttlMs) },
      { transaction },
    );
    links.push({ email, token });
  }
  return links;
}

/**
 * Follows a link (the row locked, in the caller's transaction): the address now receives the
 * definition's report. A link unknown, used, expired, or of a definition deleted since or no
 * longer naming the address, is refused with VerificationTokenRejected.
 */
export async function confirmRecipient(
  token: string,
  transaction: Transaction,
): Promise<{ definition: ReportDefinition; confirmation: ReportRecipientConfirmation }> {
  const found = await ReportRecipientConfirmation.findOne({
    where: { tokenHash: hashToken(token) },
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  const problem = tokenProblem(found && { usedAt: found.confirmedAt, expiresAt: found.expiresAt });
  if (problem) throw new VerificationTokenRejected(`verification_token_${problem}`);
  const definition = await ReportDefinition.findOne({ where: { id: found!.definitionId, tenantId: found!.tenantId }, transaction });
  if (!definition?.recipients.includes(found!.email)) throw new VerificationTokenRejected('verification_token_invalid');
  await found!.update({ confirmedAt: new Date() }, { transaction });
  return { definition, confirmation: found! };
}

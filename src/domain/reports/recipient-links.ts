/**
 * Who a scheduled report may reach (docs/reports.md, Who receives a report): an active staff
 * member of the definition's tenant whose role may read its kind of report (at their address or another on
 * their mailbox), or, but for the finance report and a table that names persons, an address that confirmed, by following the link mailed to it, that it wants this definition's report. The link is a single-use token stored as its
 * SHA-256 (./single-use-tokens.ts), one per definition and address; nothing of the report is
 * sent to an address before it is followed. Read by the commands that save a definition, by its
 * view, and by the delivery, which sends to the addresses that may receive it and records the rest.
 */
import { Op, where, type Transaction } from 'sequelize';
import { DELIVERED_RECIPIENT_STATUSES, type RecipientStatus } from '../../contracts/scheduled-report';
import { ReportDefinition, ReportRecipientConfirmation, User } from '../../models';
import { reachesOutsideStaff, seesKind } from '../../access/reports';
import { roleMay } from '../../access/verbs';
import { recipientNotPermitted, unprocessable, type ApiError } from '../../shared/errors';
import { VerificationTokenRejected } from '../identity/email-verifications';
import { MAILBOX_OF_EMAIL, mailboxOf } from '../identity/mailboxes';
import { hashToken, mintToken, tokenProblem } from '../../services/single-use-tokens';
import { TENANT_REPORT_KINDS } from './kinds';

export interface RecipientState {
  email: string;
  status: RecipientStatus;
}

type Recipients = Pick<ReportDefinition, 'id' | 'tenantId' | 'kind' | 'parameters' | 'recipients'>;

/**
 * Whether the definition's CSV names persons: policyholders by name and e-mail (expiring policies,
 * overdue invoices), staff by name with their own figures (claims by assignee). Their personal data
 * goes to staff whose role may read it only, as the finance figures do (docs/privacy.md, Reports).
 */
const namesPersons = (definition: Recipients) => TENANT_REPORT_KINDS[definition.kind].namesPersons(definition.parameters);

/** The report a refused address may not read, as the refusal names it. */
const reportAsSaved = (definition: Recipients) =>
  namesPersons(definition) ? `the ${definition.kind} report as saved: its table names persons` : `the ${definition.kind} report`;

/** Each definition's recipients with their status, in the order the definition lists them (two queries for any number of definitions). */
export async function recipientStates(definitions: Recipients[], transaction?: Transaction): Promise<Map<string, RecipientState[]>> {
  if (definitions.length === 0) return new Map();
  const emails = [...new Set(definitions.flatMap((d) => d.recipients))];
  const ids = definitions.map((d) => d.id);
  const [users, confirmed] = await Promise.all([
    // The accounts of the addresses, and every account on the same mailboxes.
    User.findAll({
      where: {
        tenantId: { [Op.in]: [...new Set(definitions.map((d) => d.tenantId))] },
        [Op.or]: [{ email: { [Op.in]: emails } }, where(MAILBOX_OF_EMAIL, { [Op.in]: [...new Set(emails.map(mailboxOf))] })],
      },
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
  const staffMember = (user: User) => roleMay(user.role, 'receiveReportUnconfirmed');
  const staffByMailbox = new Map<string, User[]>();
  for (const user of users.filter(staffMember)) {
    const key = `${user.tenantId}:${mailboxOf(user.email)}`;
    staffByMailbox.set(key, [...(staffByMailbox.get(key) ?? []), user]);
  }
  const confirmations = new Set(confirmed.map((c) => `${c.definitionId}:${c.email}`));
  const statusOf = (definition: Recipients, email: string): RecipientStatus => {
    const account = accounts.get(`${definition.tenantId}:${email}`);
    // A deactivated or unproven account of the tenant is nobody to send its data to, and is offered no link.
    if (account && !(account.isActive && account.emailVerifiedAt)) return 'inactive';
    // Staff receive only what their role may read at its GET route: a saved report is no way round that rule.
    if (account && staffMember(account)) return seesKind(account.role, definition.kind) ? 'member' : 'not_permitted';
    // Any other address on a staff member's mailbox (name+tag@ for name@, a customer account of theirs) reaches
    // that person, so is judged as they are, never as an outside address; a leaver's mailbox receives nothing.
    const staff = staffByMailbox.get(`${definition.tenantId}:${mailboxOf(email)}`);
    if (staff) return strictest(staff.map((member) => onMailboxOf(member, definition)));
    // Anyone else, a customer of the tenant included, is outside the company: only once confirmed, and never
    // the finance figures or a table of persons (a confirmation shows only that the address wants them).
    if (!reachesOutsideStaff(definition.kind) || namesPersons(definition)) return 'not_permitted';
    return confirmations.has(`${definition.id}:${email}`) ? 'confirmed' : 'pending';
  };
  return new Map(definitions.map((d) => [d.id, d.recipients.map((email) => ({ email, status: statusOf(d, email) }))]));
}

/** What an address on this staff member's mailbox, other than their own, receives: their role's answer, nothing once they have left. */
function onMailboxOf(member: User, definition: Recipients): RecipientStatus {
  if (!member.isActive) return 'not_permitted';
  if (!member.emailVerifiedAt) return 'inactive';
  return seesKind(member.role, definition.kind) ? 'member' : 'not_permitted';
}

/** The answer for a mailbox of several staff accounts: one that may not read, or is not yet proven, decides. */
const strictest = (statuses: RecipientStatus[]): RecipientStatus =>
  (['not_permitted', 'inactive'] as const).find((status) => statuses.includes(status)) ?? 'member';

/** One definition's recipients with their status. */
export async function recipientStatesOf(definition: Recipients, transaction?: Transaction): Promise<RecipientState[]> {
  return (await recipientStates([definition], transaction)).get(definition.id)!;
}

export const mayReceive = (state: RecipientState) => DELIVERED_RECIPIENT_STATUSES.includes(state.status);

/**
 * Refuses (422, naming each address) recipients who may not read the definition's report: staff by
 * their role, anyone outside the staff for the finance report and for a table that names persons.
 */
export async function assertRecipientsMayRead(definition: Recipients): Promise<void> {
  const refused = (await recipientStatesOf(definition)).flatMap((state, index) =>
    state.status === 'not_permitted' ? [{ email: state.email, field: `recipients.${index}` }] : [],
  );
  if (refused.length === 0) return;
  const report = reportAsSaved(definition);
  throw unprocessable(
    `Not every recipient may read ${report}: ${refused.map((r) => r.email).join(', ')}`,
    refused.map(({ email, field }) => ({ field, message: `${email} may not read ${report}` })),
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
 * Why a link to `email` confirms nothing (409 `recipient_not_permitted`), or null while it may confirm: a link minted
 * before its address was judged not_permitted (a staff mailbox whose role may not read the report, a leaver's, an
 * outside address for a table that names persons) would answer "confirmed" for an address that receives nothing.
 * Asked by the command and by the link's page before the person acts.
 */
export async function recipientRefusal(definition: Recipients, email: string, transaction?: Transaction): Promise<ApiError | null> {
  const state = (await recipientStatesOf(definition, transaction)).find((recipient) => recipient.email === email);
  return state?.status === 'not_permitted'
    ? recipientNotPermitted(`${email} may not read ${reportAsSaved(definition)}: this link confirms nothing`)
    : null;
}

/**
 * Follows a link (the row locked, in the caller's transaction): the address now receives the
 * definition's report. A link unknown, used, expired, or of a definition deleted since or no
 * longer naming the address, is refused with VerificationTokenRejected; a link to an address that
 * may not read the report (`not_permitted`) is refused 409 `recipient_not_permitted`, nothing recorded.
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
  const refusal = await recipientRefusal(definition, found!.email, transaction);
  if (refusal) throw refusal;
  await found!.update({ confirmedAt: new Date() }, { transaction });
  return { definition, confirmation: found! };
}

/**
 * The steps of a person's erasure (`privacy-erasure-<erasureId>`, docs/privacy.md, Erasure,
 * retention and legal holds). `eraseNextStep` takes the first step the erasure has not taken, in
 * one transaction with the record of it (the step's name and its per-table counts) and its audit
 * event, so a retried activity repeats nothing that committed and redoes what did not. Before
 * each step the person's users row is locked and their legal holds are read: a hold placed since
 * the request blocks the erasure before anything more changes. Document files are removed from the
 * store inside that transaction, before their rows: a transaction that then fails leaves rows
 * whose files are gone, which the retry removes again (a missing file is no error).
 *
 * What no law makes the insurer keep is deleted (the documents they uploaded on their claims, their tokens and
 * second factors); what it must keep has the person's free text replaced by ERASED_TEXT and their
 * name and addresses by a stable pseudonym; the users row becomes that pseudonym, inactive.
 */
import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Op, fn, col, where as sqlWhere, QueryTypes, type Transaction } from 'sequelize';
import {
  ERASED_EMAIL_DOMAIN,
  ERASED_PASSWORD_HASH,
  ERASED_TEXT,
  keptRowsDueOn as keptRowsDueOnOf,
  RETENTION_SETTING_OF_TABLE,
  type ErasureStatus,
  type ErasureStepResult,
  type TableErasure,
} from '../contracts/privacy-erasure';
import {
  Acknowledgement,
  ApiKey,
  AuditEvent,
  Claim,
  ClaimDocument,
  ClaimHistory,
  ClaimNote,
  ClaimNoteRevision,
  EmailVerificationToken,
  Invoice,
  MfaChallenge,
  MfaRecoveryCode,
  PasswordResetToken,
  ClaimPayment,
  PremiumPayment,
  PrivacyErasure,
  PrivacyExport,
  PrivacyLegalHold,
  RefreshToken,
  SsoIdentity,
  PolicyDocument,
  Quote,
  Subscription,
  SubscriptionChange,
  SubscriptionVersion,
  TenantSettings,
  User,
  UserMfa,
} from '../models';
import type { PropertyAddress } from '../contracts/subscription';
import type { RequestedChange } from '../models/subscription-change';
import type { ChangedFields } from '../models/subscription-version';
import { recordAudit } from '../domain/audit/record';
import { documentsOfClaimant } from '../domain/claims/documents';
import type { DocumentStore } from '../services/documents';
import { destroyPersonDataKey } from '../services/person-data-keys';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';
import { utcDay } from '../shared/time';

/** The person being erased, as the steps need them. */
interface Person {
  tenantId: string;
  user: User;
  /** `erased-<16 hex>`: stable for the person, so every kept copy of their name reads the same. */
  pseudonym: string;
}

type Counts = Partial<Pick<TableErasure, 'deleted' | 'pseudonymised' | 'kept'>>;
/** What one step did, per table. */
type StepCounts = Record<string, Counts>;
type Step = (person: Person, transaction: Transaction) => Promise<StepCounts>;

const keys = new WeakMap<ActivityDeps['sealing'], Buffer>();

/** The pseudonym key: derived from JWT_SECRET for this alone, so a pseudonym cannot be computed from a user ID without it. */
function pseudonymKeyOf(jwt: ActivityDeps['sealing']): Buffer {
  let key = keys.get(jwt);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', jwt.secret, 'insurflow', 'privacy-pseudonym v1', 32));
    keys.set(jwt, key);
  }
  return key;
}

export function pseudonymOf(key: Buffer, userId: string): string {
  return `erased-${crypto.createHmac('sha256', key).update(userId).digest('hex').slice(0, 16)}`;
}

const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

/**
 * Removes the stored files of the person's rows before the rows themselves (a missing file is no
 * error; a row without one has nothing to remove). Thrown when this worker has no store, so the
 * activity is retried once a worker with one is deployed: no row goes before its file.
 */
async function removeStoredFiles(documents: DocumentStore | undefined, rows: { storageKey: string | null }[], what: string): Promise<void> {
  if (rows.length > 0 && !documents) throw new Error(`This worker has no document store: it cannot erase ${what}`);
  for (const { storageKey } of rows) if (storageKey) await documents!.remove(storageKey);
}

/**
 * The documents the person uploaded on their own claims: their files, then their rows. What staff
 * uploaded on those claims is kept with them until their kept records are deleted, and what the
 * person uploaded as staff on someone else's claim is that claimant's (src/domain/claims/documents.ts).
 */
function eraseDocuments(documents: DocumentStore | undefined): Step {
  return async ({ tenantId, user }, transaction) => {
    const rows = (await documentsOfClaimant(tenantId, user.id, transaction)).filter((document) => document.uploadedById === user.id);
    await removeStoredFiles(documents, rows, 'claim documents');
    const deleted = rows.length === 0 ? 0 : await ClaimDocument.destroy({ where: { id: ids(rows) }, transaction });
    return { claim_documents: { deleted } };
  };
}

/**
 * A copy of the person's data gathered for them and not yet downloaded (docs/privacy.md, Subject
 * access export): its ZIP goes now rather than when its link would expire, and the export reads
 * expired. The request refuses an erasure while an export is still being gathered.
 */
function eraseExports(documents: DocumentStore | undefined): Step {
  return async ({ tenantId, user }, transaction) => {
    const rows = await PrivacyExport.findAll({ where: { tenantId, userId: user.id, status: 'ready' }, transaction });
    await removeStoredFiles(documents, rows, 'stored exports');
    const [expired] = await PrivacyExport.update({ status: 'expired' }, { where: { id: ids(rows), status: 'ready' }, transaction });
    return { privacy_exports: { deleted: expired } };
  };
}

/**
 * What the person wrote on claims: notes and their earlier revisions, transition notes, descriptions,
 * the reasons they gave for withdrawing a note or a document (who withdrew it, and when, stay); the rows stay.
 */
const eraseWrittenText: Step = async ({ tenantId, user }, transaction) => {
  const notes = ids(await ClaimNote.findAll({ attributes: ['id'], where: { tenantId, authorId: user.id }, transaction }));
  const erased = { [Op.ne]: ERASED_TEXT };
  const [noteCount] = await ClaimNote.update({ body: ERASED_TEXT }, { where: { id: notes, body: erased }, transaction });
  const withdrawnByThem = { tenantId, withdrawnById: user.id, withdrawalReason: erased };
  // Their own notes are counted above already; others' notes and documents they withdrew are counted here.
  await ClaimNote.update({ withdrawalReason: ERASED_TEXT }, { where: { ...withdrawnByThem, authorId: user.id }, transaction });
  const [othersNotes] = await ClaimNote.update(
    { withdrawalReason: ERASED_TEXT },
    { where: { ...withdrawnByThem, authorId: { [Op.ne]: user.id } }, transaction },
  );
  const [documentReasons] = await ClaimDocument.update({ withdrawalReason: ERASED_TEXT }, { where: withdrawnByThem, transaction });
  const [revisionCount] = await ClaimNoteRevision.update({ body: ERASED_TEXT }, { where: { noteId: notes, body: erased }, transaction });
  const [historyCount] = await ClaimHistory.update(
    { note: ERASED_TEXT },
    { where: { tenantId, actorId: user.id, note: { [Op.and]: [{ [Op.ne]: null }, erased] } }, transaction },
  );
  const [described] = await Claim.update(
    { description: ERASED_TEXT },
    { where: { tenantId, filedById: user.id, description: erased }, transaction },
  );
  const claims = await Claim.count({ where: { tenantId, [Op.or]: [{ claimantId: user.id }, { filedById: user.id }] }, transaction });
  return {
    claim_notes: { pseudonymised: noteCount + othersNotes },
    claim_note_revisions: { pseudonymised: revisionCount },
    claim_documents: { pseudonymised: documentReasons },
    claim_history: { pseudonymised: historyCount },
    claims: { pseudonymised: described, kept: claims - described },
  };
};

/** Every way the person could sign in or act: sessions, single-use links, API keys they made, second factors, company sign-in. */
const eraseTokens: Step = async ({ tenantId, user }, transaction) => {
  const userId = user.id;
  const mine = { where: { userId }, transaction };
  return {
    refresh_tokens: { deleted: await RefreshToken.destroy(mine) },
    password_reset_tokens: { deleted: await PasswordResetToken.destroy(mine) },
    email_verification_tokens: { deleted: await EmailVerificationToken.destroy(mine) },
    api_keys: { deleted: await ApiKey.destroy({ where: { tenantId, createdBy: userId }, transaction }) },
    mfa_challenges: { deleted: await MfaChallenge.destroy(mine) },
    mfa_recovery_codes: { deleted: await MfaRecoveryCode.destroy(mine) },
    user_mfa: { deleted: await UserMfa.destroy(mine) },
    sso_identities: { deleted: await SsoIdentity.destroy(mine) },
  };
};

/** Claim payments to the person keep amount, reference and account; the payee's name becomes the pseudonym. */
const pseudonymisePayees: Step = async ({ tenantId, user, pseudonym }, transaction) => {
  const claims = ids(await Claim.findAll({ attributes: ['id'], where: { tenantId, claimantId: user.id }, transaction }));
  const toPerson = [{ payeeKind: 'claimant' }, sqlWhere(fn('lower', col('payee_name')), user.fullName.toLowerCase())];
  const [pseudonymised] = await ClaimPayment.update(
    { payeeName: pseudonym },
    { where: { claimId: claims, payeeName: { [Op.and]: [{ [Op.ne]: null }, { [Op.ne]: pseudonym }] }, [Op.or]: toPerson }, transaction },
  );
  const payments = await ClaimPayment.count({ where: { claimId: claims }, transaction });
  return { payments: { pseudonymised, kept: payments - pseudonymised } };
};

/** A property address with its street lines erased; postal code, city and country stay with the insured risk. */
function erasedAddress(address: PropertyAddress | null): PropertyAddress | null {
  if (!address) return null;
  const { line2: _line2, ...kept } = address;
  return { ...kept, line1: ERASED_TEXT };
}
const isErased = (address: PropertyAddress | null) => address === null || address.line1 === ERASED_TEXT;

/** Policies keep their terms and figures; the holder's phone goes and the property's street becomes ERASED_TEXT. */
const pseudonymiseSubscriptions: Step = async ({ tenantId, user }, transaction) => {
  const subscriptions = await Subscription.findAll({ where: { tenantId, policyholderId: user.id }, transaction });
  let pseudonymised = 0;
  for (const subscription of subscriptions) {
    if (subscription.holderPhone === null && isErased(subscription.propertyAddress)) continue;
    await subscription.update({ holderPhone: null, propertyAddress: erasedAddress(subscription.propertyAddress) }, { transaction });
    pseudonymised += 1;
  }
  const invoices = ids(await Invoice.findAll({ attributes: ['id'], where: { tenantId, policyholderId: user.id }, transaction }));
  return {
    subscriptions: { pseudonymised, kept: subscriptions.length - pseudonymised },
    invoices: { kept: invoices.length },
    premium_payments: { kept: await PremiumPayment.count({ where: { invoiceId: invoices }, transaction }) },
  };
};

/**
 * Their quotes keep the price and what it priced, but the risk's postcode, which places their home,
 * becomes ERASED_TEXT (docs/quotes.md). Safe to repeat: an erased postcode is left as it is.
 */
const pseudonymiseQuotes: Step = async ({ tenantId, user }, transaction) => {
  const quotes = await Quote.findAll({ where: { tenantId, requestedById: user.id }, transaction });
  let pseudonymised = 0;
  for (const quote of quotes) {
    if (quote.risk.postcode === ERASED_TEXT) continue;
    await quote.update({ risk: { ...quote.risk, postcode: ERASED_TEXT } }, { transaction });
    pseudonymised += 1;
  }
  return { quotes: { pseudonymised, kept: quotes.length - pseudonymised } };
};

/** What a change moved, its contact values erased as the policy's own: the phone gone, the street lines `[erased]`. */
function erasedChanged(changed: ChangedFields): ChangedFields {
  const erased = { ...changed };
  if (changed.holderPhone) erased.holderPhone = { before: null, after: null };
  if (changed.propertyAddress) {
    const { before, after } = changed.propertyAddress as { before: PropertyAddress | null; after: PropertyAddress | null };
    erased.propertyAddress = { before: erasedAddress(before), after: erasedAddress(after) };
  }
  return erased;
}

/** What a change asked for without the holder's contact: no phone, the street lines `[erased]`. */
function erasedRequest({ holderPhone: _phone, ...requested }: RequestedChange): RequestedChange {
  return { ...requested, ...(requested.propertyAddress && { propertyAddress: erasedAddress(requested.propertyAddress)! }) };
}

/**
 * The versions of their policies and the changes asked for on them (docs/subscriptions.md, Policy
 * changes) keep terms and figures; the holder's contact in them is erased as on the policy itself,
 * in the terms of each version, in what each version moved and in what each change asked for. A
 * change still to be carried out then moves no phone and an erased street.
 */
const pseudonymisePolicyChanges: Step = async ({ tenantId, user }, transaction) => {
  const subscriptionIds = ids(
    await Subscription.findAll({ attributes: ['id'], where: { tenantId, policyholderId: user.id }, transaction }),
  );
  const versions = await SubscriptionVersion.findAll({ where: { subscriptionId: subscriptionIds }, transaction });
  let versionsErased = 0;
  for (const version of versions) {
    const changed = version.fieldChanges;
    const terms = { holderPhone: null, propertyAddress: erasedAddress(version.propertyAddress), fieldChanges: erasedChanged(changed) };
    if (version.holderPhone === null && isErased(version.propertyAddress) && isDeepStrictEqual(terms.fieldChanges, changed)) continue;
    await version.update(terms, { transaction });
    versionsErased += 1;
  }
  const changes = await SubscriptionChange.findAll({ where: { subscriptionId: subscriptionIds }, transaction });
  let changesErased = 0;
  for (const change of changes) {
    const requested = erasedRequest(change.requested);
    if (isDeepStrictEqual(requested, change.requested)) continue;
    await change.update({ requested }, { transaction });
    changesErased += 1;
  }
  return {
    subscription_versions: { pseudonymised: versionsErased, kept: versions.length - versionsErased },
    subscription_changes: { pseudonymised: changesErased, kept: changes.length - changesErased },
  };
};

/**
 * The schedules stored for their policies' versions (name, address, phone as they stood): files,
 * then rows. After the users row: a schedule made again (`admin.js backfill-schedules`) is rendered
 * from the pseudonymised rows, so it never shows the person again.
 */
function erasePolicyDocuments(documents: DocumentStore | undefined): Step {
  return async ({ tenantId, user }, transaction) => {
    const subscriptionIds = ids(
      await Subscription.findAll({ attributes: ['id'], where: { tenantId, policyholderId: user.id }, transaction }),
    );
    const rows = await PolicyDocument.findAll({ where: { subscriptionId: subscriptionIds }, transaction });
    await removeStoredFiles(documents, rows, 'policy documents');
    const deleted = rows.length === 0 ? 0 : await PolicyDocument.destroy({ where: { id: ids(rows) }, transaction });
    return { policy_documents: { deleted } };
  };
}

/** Acknowledgements keep their evidence (content hash, time, client); the name the person typed becomes the pseudonym. */
const pseudonymiseAcknowledgements: Step = async ({ tenantId, user, pseudonym }, transaction) => {
  const [pseudonymised] = await Acknowledgement.update(
    { typedName: pseudonym },
    { where: { tenantId, employeeId: user.id, typedName: { [Op.and]: [{ [Op.ne]: null }, { [Op.ne]: pseudonym }] } }, transaction },
  );
  const all = await Acknowledgement.count({ where: { tenantId, employeeId: user.id }, transaction });
  return { acknowledgements: { pseudonymised, kept: all - pseudonymised } };
};

/** Mails sent to the person: their address becomes the pseudonym's, the text they carried goes. */
const pseudonymiseMails: Step = async ({ tenantId, user, pseudonym }, transaction) => {
  const [, pseudonymised] = await Claim.sequelize!.query(
    `UPDATE notifications
        SET recipients = (SELECT jsonb_agg(CASE WHEN r = to_jsonb(CAST(:email AS text)) THEN to_jsonb(CAST(:erasedEmail AS text)) ELSE r END)
                            FROM jsonb_array_elements(recipients) AS r),
            body = CASE WHEN body IS NULL THEN NULL ELSE :erasedText END,
            updated_at = now()
      WHERE tenant_id = :tenantId AND recipients @> jsonb_build_array(CAST(:email AS text))`,
    {
      replacements: { tenantId, email: user.email, erasedEmail: `${pseudonym}@${ERASED_EMAIL_DOMAIN}`, erasedText: ERASED_TEXT },
      type: QueryTypes.UPDATE,
      transaction,
    },
  );
  return { notifications: { pseudonymised } };
};

/** After the steps that find the person's copies by their name and address: the users row becomes the pseudonym. */
const pseudonymiseUser: Step = async ({ user, pseudonym }, transaction) => {
  await user.update(
    {
      fullName: pseudonym,
      email: `${pseudonym}@${ERASED_EMAIL_DOMAIN}`,
      isActive: false,
      // No password opens the account again, the one they had included.
      passwordHash: ERASED_PASSWORD_HASH,
      locale: null,
      // Access tokens already issued stop working (src/services/authority.ts).
      sessionVersion: user.sessionVersion + 1,
    },
    { transaction },
  );
  // Events name the person by ID only, which now leads to the pseudonym; they are kept as they are.
  const events = await AuditEvent.count({ where: { [Op.or]: [{ actorId: user.id }, { entityId: user.id }] }, transaction });
  return { users: { pseudonymised: 1 }, audit_events: { kept: events } };
};

/**
 * What the person's runs carry of them in Temporal's histories is sealed with their own data key
 * (docs/privacy.md, crypto-shredding): destroying it leaves those fields unreadable everywhere,
 * histories exported before included. Safe to repeat.
 */
const destroyDataKey: Step = async ({ user }, transaction) => {
  await destroyPersonDataKey(user.id, transaction);
  return { person_data_keys: { deleted: 1 } };
};

/**
 * The steps, in order; each runs once per erasure. A new step is one more line here (runs in
 * flight take it too, as their next step).
 */
function erasureSteps(deps: ActivityDeps): Array<[name: string, step: Step]> {
  return [
    ['documents', eraseDocuments(deps.documents)],
    ['exports', eraseExports(deps.documents)],
    ['written_text', eraseWrittenText],
    ['tokens', eraseTokens],
    ['payees', pseudonymisePayees],
    ['subscriptions', pseudonymiseSubscriptions],
    ['policy_changes', pseudonymisePolicyChanges],
    ['quotes', pseudonymiseQuotes],
    ['acknowledgements', pseudonymiseAcknowledgements],
    ['mails', pseudonymiseMails],
    ['data_key', destroyDataKey],
    ['user', pseudonymiseUser],
    ['policy_documents', erasePolicyDocuments(deps.documents)],
  ];
}

/** Adds one step's counts to those recorded. */
function merged(tables: Record<string, TableErasure>, counts: StepCounts): Record<string, TableErasure> {
  const next = { ...tables };
  for (const [table, add] of Object.entries(counts)) {
    const was = next[table] ?? { deleted: 0, pseudonymised: 0, kept: 0, keepUntil: null };
    next[table] = {
      deleted: was.deleted + (add.deleted ?? 0),
      pseudonymised: was.pseudonymised + (add.pseudonymised ?? 0),
      kept: was.kept + (add.kept ?? 0),
      keepUntil: null,
    };
  }
  return next;
}

function yearsAfter(date: Date, years: number): string {
  const until = new Date(date);
  until.setUTCFullYear(until.getUTCFullYear() + years);
  return utcDay(until);
}

/**
 * The keep-until date of each kept table under the tenant's retention rules, counted from the
 * erasure's completion; the users row is kept as long as the longest, since every kept row points at it.
 */
async function withKeepUntil(tenantId: string, tables: Record<string, TableErasure>, finishedAt: Date) {
  const settings = await TenantSettings.forTenant(tenantId);
  const next: Record<string, TableErasure> = {};
  let latest: string | null = null;
  for (const [table, counts] of Object.entries(tables)) {
    const setting = RETENTION_SETTING_OF_TABLE[table];
    const kept = counts.pseudonymised + counts.kept > 0;
    const keepUntil = setting && kept ? yearsAfter(finishedAt, settings[setting]) : null;
    if (keepUntil && (!latest || keepUntil > latest)) latest = keepUntil;
    next[table] = { ...counts, keepUntil };
  }
  if (next.users) next.users = { ...next.users, keepUntil: latest };
  return next;
}

export function createPrivacyErasureActivities(deps: ActivityDeps) {
  const steps = erasureSteps(deps);
  const pseudonymKey = pseudonymKeyOf(deps.sealing);

  async function finish(erasure: PrivacyErasure, status: ErasureStatus, transaction: Transaction): Promise<ErasureStepResult> {
    const finishedAt = new Date();
    const tables = status === 'completed' ? await withKeepUntil(erasure.tenantId, erasure.tables, finishedAt) : erasure.tables;
    // The day the kept-records job (src/activities/kept-records.ts) first deletes some of them.
    const keptRowsDueOn = status === 'completed' ? keptRowsDueOnOf(tables, erasure.keptRowsDeleted) : null;
    await erasure.update({ status, finishedAt, tables, keptRowsDueOn }, { transaction });
    await recordAudit(
      workflowAuditSource(erasure.requestedById),
      {
        tenantId: erasure.tenantId,
        action: `privacy_erasure.${status}`,
        entityType: 'privacy_erasure',
        entityId: erasure.id,
        after: { userId: erasure.userId, status, stepsDone: erasure.stepsDone },
        dedupeKey: `${erasure.workflowId}:${status}`,
      },
      transaction,
    );
    return { finished: true, status, step: null };
  }

  return {
    /** Takes the erasure's next step, or finishes it: completed once none is left, blocked by a legal hold. */
    async eraseNextStep(input: { erasureId: string }): Promise<ErasureStepResult> {
      return deps.sequelize.transaction(async (transaction) => {
        const erasure = await PrivacyErasure.findByPk(input.erasureId, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
        if (erasure.status === 'completed' || erasure.status === 'blocked') return { finished: true, status: erasure.status, step: null };
        // Locked as placing a hold locks it: a hold placed now waits for this step, one placed before is seen.
        const user = await User.findByPk(erasure.userId, { lock: transaction.LOCK.UPDATE, transaction, rejectOnEmpty: true });
        if (await PrivacyLegalHold.isHeld(user.id, transaction)) return finish(erasure, 'blocked', transaction);
        const next = steps.find(([name]) => !erasure.stepsDone.includes(name));
        if (!next) return finish(erasure, 'completed', transaction);
        const [name, step] = next;
        const counts = await step({ tenantId: erasure.tenantId, user, pseudonym: pseudonymOf(pseudonymKey, user.id) }, transaction);
        await erasure.update(
          { status: 'running', stepsDone: [...erasure.stepsDone, name], tables: merged(erasure.tables, counts) },
          { transaction },
        );
        await recordAudit(
          workflowAuditSource(erasure.requestedById),
          {
            tenantId: erasure.tenantId,
            action: 'privacy_erasure.step',
            entityType: 'privacy_erasure',
            entityId: erasure.id,
            // Counts and IDs only: the event must not keep what the step erased.
            after: { userId: user.id, step: name, tables: counts },
            dedupeKey: `${erasure.workflowId}:step:${name}`,
          },
          transaction,
        );
        return { finished: false, status: 'running', step: name };
      });
    },
  };
}

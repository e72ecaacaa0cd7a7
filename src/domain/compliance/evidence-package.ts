/**
 * The evidence package of a policy version (docs/compliance.md, Evidence package for auditors): a
 * ZIP of what the version's text, review, audience, acknowledgements, reminders, escalations and
 * audit trail recorded, with a manifest of every file's SHA-256 signed by the tenant's Ed25519 key,
 * so an auditor checks it offline with openssl and sha256sum.
 *
 * Everything is read in one REPEATABLE READ, read-only transaction, so the files agree with each
 * other (one snapshot), and the big collections through server-side cursors, FETCH_SIZE rows at a
 * time, written as JSON Lines into a ZIP that is streamed to the client as it is made: memory does
 * not grow with the number of acknowledgements. The manifest comes last, once every file's digest
 * is known.
 */
import { PassThrough, Readable } from 'node:stream';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { ZipFile } from 'yazl';
import { AuditEvent, CompliancePolicy, Tenant, User, type PolicyVersion } from '../../models';
import { policyVersionAccess } from '../../access/compliance';
import { findVisible } from '../../access/core';
import { recordAudit } from '../audit/record';
import { SIGNING_ALGORITHM, tenantSigner } from '../../services/tenant-signing-keys';
import { addZipFile, cursorBatches, jsonFile, jsonLines, type ManifestFile, type ZipContent } from '../../services/zip-files';
import { conflict } from '../../shared/errors';
import type { AuthUser } from '../../shared/caller';
import type { CommandDeps } from '../command';

export const EVIDENCE_FORMAT = 'insurflow-evidence-package/1';
/** Versions whose text was shown to people: earlier ones have no acknowledgements to evidence. */
const EVIDENCED_STATUSES = ['published', 'retired'];
/** Audit actions of the review (maker-checker) and publication of a version. */
const REVIEW_ACTIONS = [
  'policy_version.create',
  'policy_version.update',
  'policy_version.submit',
  'policy_version.approve',
  'policy_version.reject',
  'policy_version.lapse',
  'policy_version.publish',
];
/** Audit actions that change who must acknowledge a published version (docs/compliance.md, Audience). */
const AUDIENCE_CHANGES: Record<string, string> = {
  'acknowledgement.create': 'joined',
  'acknowledgement.reopen': 'rejoined',
  'acknowledgement.exempt': 'left',
};

export interface EvidencePackage {
  fileName: string;
  /** The ZIP as it is made; an error while reading ends it early (the client sees a broken download). */
  body: Readable;
}

/** The SQL of each collection; `:tenantId` and `:versionId` bound, every table filtered by tenant too. */
const SQL = {
  acknowledgements: `
    SELECT a.id, a.cycle, a.status, a.due_at AS "dueAt", a.acknowledged_at AS "acknowledgedAt", a.exempted_at AS "exemptedAt",
           a.reminders_sent AS "remindersSent", a.escalation_level AS "escalationLevel", a.run_number AS "runNumber",
           a.workflow_id AS "workflowId", a.created_at AS "createdAt",
           a.content_sha256 AS "contentSha256", a.client_address AS "clientAddress", a.user_agent AS "userAgent", a.typed_name AS "typedName",
           u.id AS "employeeId", u.full_name AS "employeeName", u.email AS "employeeEmail", u.role AS "employeeRole",
           EXISTS (SELECT 1 FROM audit_events e WHERE e.tenant_id = a.tenant_id AND e.entity_type = 'acknowledgement'
                     AND e.entity_id = a.id::text AND e.action = 'acknowledgement.create') AS "joinedLater"
      FROM acknowledgements a JOIN users u ON u.id = a.employee_id
     WHERE a.tenant_id = :tenantId AND a.version_id = :versionId
     ORDER BY a.cycle, a.created_at, a.id`,
  audienceChanges: `
    SELECT e.id AS "auditEventId", e.occurred_at AS "occurredAt", e.action, e.actor_type AS "actorType", e.actor_id AS "actorId",
           a.id AS "acknowledgementId", a.employee_id AS "employeeId", a.cycle
      FROM audit_events e JOIN acknowledgements a ON e.entity_id = a.id::text
     WHERE e.tenant_id = :tenantId AND e.entity_type = 'acknowledgement' AND e.action IN (:audienceActions)
       AND a.tenant_id = :tenantId AND a.version_id = :versionId
     ORDER BY e.occurred_at, e.id`,
  // Every message of the version: its acknowledgements' runs (keys `ack-<id>…`), its "remind now"
  // runs (`<remind workflow>:<acknowledgement id>`) and its review (`policy-approval-<id>:…`).
  // The body is left out: a notice's or reminder's text carries a signed acknowledgement link.
  notifications: `
    SELECT n.idempotency_key AS "key", sent.source, sent.acknowledgement_id AS "acknowledgementId", n.channel, n.recipients,
           n.subject, n.status, n.attempts, n.last_error AS "lastError", n.sent_at AS "sentAt", n.created_at AS "createdAt"
      FROM (
        SELECT n.id, 'acknowledgement' AS source, a.id AS acknowledgement_id
          FROM notifications n JOIN acknowledgements a ON substring(n.idempotency_key FROM 5 FOR 36) = a.id::text
         WHERE n.tenant_id = :tenantId AND n.idempotency_key LIKE 'ack-%' AND a.tenant_id = :tenantId AND a.version_id = :versionId
        UNION ALL
        SELECT n.id, 'remind_now', rr.acknowledgement_id
          FROM compliance_reminds r JOIN compliance_remind_recipients rr ON rr.remind_id = r.id
          JOIN notifications n ON n.idempotency_key = r.workflow_id || ':' || rr.acknowledgement_id
         WHERE r.tenant_id = :tenantId AND r.version_id = :versionId
        UNION ALL
        SELECT n.id, 'review', NULL
          FROM notifications n WHERE n.tenant_id = :tenantId AND n.idempotency_key LIKE :reviewKeys
      ) sent JOIN notifications n ON n.id = sent.id
     ORDER BY n.created_at, n.idempotency_key`,
  escalationAlerts: `
    SELECT al.id, al.acknowledgement_id AS "acknowledgementId", al.level, al.channel, al.recipients,
           al.delivery_status AS "deliveryStatus", al.last_error AS "lastError", al.sent_at AS "sentAt", al.created_at AS "createdAt"
      FROM escalation_alerts al JOIN acknowledgements a ON a.id = al.acknowledgement_id
     WHERE al.tenant_id = :tenantId AND a.tenant_id = :tenantId AND a.version_id = :versionId
     ORDER BY al.created_at, al.id`,
  auditEvents: `
    SELECT e.* FROM audit_events e
     WHERE e.tenant_id = :tenantId AND (
           (e.entity_type = 'compliance_policy' AND e.entity_id = :policyId)
        OR (e.entity_type = 'policy_version' AND e.entity_id = :versionId)
        OR (e.entity_type = 'acknowledgement'
            AND e.entity_id IN (SELECT a.id::text FROM acknowledgements a WHERE a.tenant_id = :tenantId AND a.version_id = :versionId))
        OR (e.entity_type = 'compliance_remind'
            AND e.entity_id IN (SELECT r.id::text FROM compliance_reminds r WHERE r.tenant_id = :tenantId AND r.version_id = :versionId)))
     ORDER BY e.occurred_at, e.id`,
};

interface AcknowledgementRow {
  id: string;
  employeeId: string;
  employeeName: string;
  employeeEmail: string;
  employeeRole: string;
  contentSha256: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  typedName: string | null;
  joinedLater: boolean;
  [field: string]: unknown;
}

function acknowledgementLine(row: AcknowledgementRow) {
  const {
    employeeId,
    employeeName,
    employeeEmail,
    employeeRole,
    contentSha256,
    clientAddress,
    userAgent,
    typedName,
    joinedLater,
    ...rest
  } = row;
  return {
    ...rest,
    employee: { id: employeeId, fullName: employeeName, email: employeeEmail, role: employeeRole },
    // Made by the rollout of its cycle (the audience then), or later by a change of the audience.
    addedBy: joinedLater ? 'audience_change' : 'rollout',
    evidence: { contentSha256, clientAddress, userAgent, typedName },
  };
}

const audienceChangeLine = ({ action, actorType, actorId, ...rest }: { action: string; actorType: string; actorId: string | null }) => ({
  ...rest,
  change: AUDIENCE_CHANGES[action],
  actor: { type: actorType, id: actorId },
});

/** The small files: read at once (their size does not grow with the audience). */
async function summaryFiles(version: PolicyVersion, transaction: Transaction): Promise<Array<[string, ZipContent]>> {
  const policy = (await CompliancePolicy.findByPk(version.policyId, { transaction }))!;
  const reviewEvents = await AuditEvent.findAll({
    where: { tenantId: version.tenantId, entityType: 'policy_version', entityId: version.id, action: REVIEW_ACTIONS },
    order: [
      ['occurredAt', 'ASC'],
      ['id', 'ASC'],
    ],
    transaction,
  });
  const peopleIds = [version.createdById, version.submittedById, version.reviewedById, version.publishedById].filter(
    (id): id is string => !!id,
  );
  const people = await User.findAll({
    where: { id: peopleIds, tenantId: version.tenantId },
    attributes: ['id', 'fullName', 'email', 'role'],
    transaction,
  });
  const person = (id: string | null) => (id && people.find((p) => p.id === id)?.get({ plain: true })) || (id ? { id } : null);
  const cycles = await audienceCounts(version, transaction);
  const { content, ...versionFields } = version.get({ plain: true });
  return [
    ['policy.json', jsonFile(policy)],
    ['version.json', jsonFile({ ...versionFields, contentFile: 'version-content.txt', contentBytes: Buffer.byteLength(content, 'utf8') })],
    // The exact text, UTF-8: `sha256sum version-content.txt` prints the stored contentSha256.
    ['version-content.txt', Buffer.from(content, 'utf8')],
    [
      'approvals.json',
      jsonFile({
        author: person(version.createdById),
        lastReview: {
          submittedAt: version.submittedAt,
          submittedBy: person(version.submittedById),
          reviewedAt: version.reviewedAt,
          reviewedBy: person(version.reviewedById),
          reviewNote: version.reviewNote,
        },
        publishedAt: version.publishedAt,
        publishedBy: person(version.publishedById),
        history: reviewEvents,
      }),
    ],
    [
      'audience.json',
      jsonFile({
        rule: version.audienceRoles?.length ? { roles: version.audienceRoles } : { roles: null, allStaff: true },
        publishedAt: version.publishedAt,
        currentCycle: version.cycle,
        cycleStartedAt: version.cycleStartedAt,
        cycles,
        changesFile: 'audience-changes.jsonl',
      }),
    ],
  ];
}

/** Per cycle: how many rows the rollout made (the audience at the cycle's start) and how many a change of the audience added. */
function audienceCounts(version: PolicyVersion, transaction: Transaction) {
  return version.sequelize.query(
    `SELECT a.cycle, count(*)::int AS total,
            count(*) FILTER (WHERE j.entity_id IS NULL)::int AS "atStart",
            count(*) FILTER (WHERE a.status = 'acknowledged')::int AS acknowledged,
            count(*) FILTER (WHERE a.status = 'exempt')::int AS exempt
       FROM acknowledgements a
       LEFT JOIN (SELECT DISTINCT entity_id FROM audit_events
                   WHERE tenant_id = :tenantId AND entity_type = 'acknowledgement' AND action = 'acknowledgement.create') j
         ON j.entity_id = a.id::text
      WHERE a.tenant_id = :tenantId AND a.version_id = :versionId
      GROUP BY a.cycle ORDER BY a.cycle`,
    { replacements: { tenantId: version.tenantId, versionId: version.id }, type: QueryTypes.SELECT, transaction },
  );
}

/** The collections, streamed: each one a JSON Lines file. */
function streamedFiles(version: PolicyVersion, transaction: Transaction): Array<[string, ZipContent]> {
  const sequelize = version.sequelize;
  const replacements = {
    tenantId: version.tenantId,
    versionId: version.id,
    policyId: version.policyId,
    audienceActions: Object.keys(AUDIENCE_CHANGES),
    reviewKeys: `policy-approval-${version.id}:%`,
  };
  const rows = <Row extends object>(name: keyof typeof SQL, fetch?: (sql: string) => Promise<Row[]>) =>
    cursorBatches<Row>(sequelize, transaction, `evidence_${name}`, SQL[name], replacements, fetch);
  return [
    ['acknowledgements.jsonl', jsonLines(rows<AcknowledgementRow>('acknowledgements'), acknowledgementLine)],
    [
      'audience-changes.jsonl',
      jsonLines(rows<{ action: string; actorType: string; actorId: string | null }>('audienceChanges'), audienceChangeLine),
    ],
    ['notifications.jsonl', jsonLines(rows('notifications'))],
    ['escalation-alerts.jsonl', jsonLines(rows('escalationAlerts'))],
    [
      'audit-events.jsonl',
      // Mapped through the model, so each line has the shape GET /audit-events answers.
      jsonLines(
        rows('auditEvents', (sql) => sequelize.query(sql, { transaction, model: AuditEvent, mapToModel: true })),
        (event) => event.toJSON(),
      ),
    ],
  ];
}

const base64Signature = (signature: Buffer) => Buffer.from(`${signature.toString('base64')}\n`, 'utf8');

interface PackageHeader {
  version: PolicyVersion;
  tenant: Tenant;
  generatedAt: Date;
  generatedById: string;
}

/**
 * Writes every file into the ZIP, then SHA256SUMS, manifest.json, their signatures and the public
 * key. The transaction is held while the client downloads (its pace sets the cursors'); a closed
 * download ends it.
 */
async function writePackage(zip: ZipFile, header: PackageHeader, signer: Awaited<ReturnType<typeof tenantSigner>>, sequelize: Sequelize) {
  const { version, tenant, generatedAt } = header;
  const output = zip.outputStream as PassThrough;
  const transaction = await sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ, readOnly: true });
  // The snapshot's own view of the version (its cycle or retirement may have moved since it was found).
  await version.reload({ transaction });
  let current: Readable | null = null;
  const onClose = () => current?.destroy(new Error('the download was closed'));
  output.once('close', onClose);
  const files: ManifestFile[] = [];
  const add = async (name: string, content: ZipContent) =>
    files.push(await addZipFile(zip, name, content, generatedAt, (stream) => (current = stream)));
  try {
    for (const [name, content] of [...(await summaryFiles(version, transaction)), ...streamedFiles(version, transaction)])
      await add(name, content);
    await transaction.commit();
  } catch (error) {
    await transaction.rollback().catch(() => undefined);
    throw error;
  } finally {
    output.off('close', onClose);
  }
  const sums = Buffer.from(files.map((file) => `${file.sha256}  ${file.name}\n`).join(''), 'utf8');
  await add('SHA256SUMS', sums);
  const manifest = jsonFile({
    format: EVIDENCE_FORMAT,
    tenant: { id: tenant.id, name: tenant.name },
    policy: { id: version.policyId },
    version: { id: version.id, versionNumber: version.versionNumber, status: version.status, contentSha256: version.contentSha256 },
    generatedAt,
    generatedBy: { id: header.generatedById },
    signature: {
      algorithm: SIGNING_ALGORITHM,
      publicKeyFile: 'public-key.pem',
      publicKeyFingerprint: signer.key.fingerprint,
      signatures: { 'manifest.json': 'manifest.sig', SHA256SUMS: 'SHA256SUMS.sig' },
    },
    files,
  });
  zip.addBuffer(manifest, 'manifest.json', { mtime: generatedAt });
  zip.addBuffer(base64Signature(signer.sign(manifest)), 'manifest.sig', { mtime: generatedAt });
  zip.addBuffer(base64Signature(signer.sign(sums)), 'SHA256SUMS.sig', { mtime: generatedAt });
  zip.addBuffer(Buffer.from(signer.key.publicKeyPem, 'utf8'), 'public-key.pem', { mtime: generatedAt });
  zip.end();
}

/**
 * The evidence package of a published (or retired) version, for the tenant's compliance roles;
 * another tenant's version is 404. The export is audited (`compliance.evidence_export`) before the
 * first byte goes out, so an interrupted download is on record too.
 */
export async function evidencePackage(caller: AuthUser, input: { id: string }, deps: CommandDeps): Promise<EvidencePackage> {
  const version = await findVisible(caller, policyVersionAccess, input.id);
  if (!EVIDENCED_STATUSES.includes(version.status))
    throw conflict(`This version is ${version.status}; only a published or retired version has evidence to export`, [
      { field: 'status', message: `is ${version.status}` },
    ]);
  const signer = await tenantSigner(deps.sequelize, deps.config.jwt, version.tenantId);
  const tenant = (await Tenant.findByPk(version.tenantId))!;
  const generatedAt = new Date();
  const fileName = `evidence-v${version.versionNumber}-${version.id}-${generatedAt.toISOString().replace(/[-:]|\.\d+/g, '')}.zip`;
  await deps.sequelize.transaction((transaction) =>
    recordAudit(
      deps.auditSource,
      {
        tenantId: version.tenantId,
        action: 'compliance.evidence_export',
        entityType: 'policy_version',
        entityId: version.id,
        after: { fileName, generatedAt, publicKeyFingerprint: signer.key.fingerprint },
      },
      transaction,
    ),
  );
  const zip = new ZipFile();
  const body = zip.outputStream as PassThrough;
  writePackage(zip, { version, tenant, generatedAt, generatedById: caller.id }, signer, deps.sequelize).catch((error: Error) =>
    body.destroy(error),
  );
  return { fileName, body };
}

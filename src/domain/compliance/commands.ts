/**
 * The writes of the compliance process: policies and their draft versions; four eyes on a version
 * (submitted for review, which starts policy-approval-<versionId>, then approved or rejected by a
 * second compliance officer or tenant admin through the run's Updates, never by one of its makers
 * (403: ./four-eyes.ts, and the validators) nor once the review is over (409)); publishing an approved version,
 * which rolls it out; and an employee's acknowledgement.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { Op, type CreationAttributes, type Transaction } from 'sequelize';
import { acknowledgeUpdate } from '../../contracts/acknowledgement';
import {
  approvePolicyVersionUpdate,
  policyApprovalRun,
  PolicyApprovalWorkflow,
  rejectPolicyVersionUpdate,
  submissionRecordedUpdate,
} from '../../contracts/policy-approval';
import { policyRolloutRun, PolicyRolloutWorkflow } from '../../contracts/policy-rollout';
import { type Acknowledgement, CompliancePolicy, type OutboxMessage, PolicyVersion, TenantSettings } from '../../models';
import { recordAudit } from '../audit/record';
import { workflowStartOptions } from '../../services/workflow-start';
import { acknowledgementAccess, compliancePolicyAccess, policyVersionAccess } from '../../access/compliance';
import { findVisible, tenantOf } from '../../access/core';
import type { AuthUser } from '../../shared/caller';
import { conflict, notFound } from '../../shared/errors';
import { DAY_MS } from '../../shared/time';
import { createAudited, updateAuditedIn } from '../audited';
import type { Command, CommandDeps, UpdateCommand } from '../command';
import { decideOnRun } from '../../services/run-decisions';
import { deliverInOrder, enqueueRecurrenceChange } from './recurrence';
import { acknowledgementDueAt } from './acknowledgement-times';
import { assertMayReview } from './four-eyes';
import { personalData } from '../../shared/personal-data';

type PolicyFields = Pick<CreationAttributes<CompliancePolicy>, 'title' | 'description' | 'recurrenceDays'>;
type VersionFields = Pick<CreationAttributes<PolicyVersion>, 'content' | 'deadlineDays' | 'audienceRoles'>;

/** A version and the run that now carries it. */
export interface VersionRun {
  version: PolicyVersion;
  workflowId: string;
  runId: string | null;
}

export const createCompliancePolicy: Command<PolicyFields, CompliancePolicy> = (caller, fields, deps) => {
  const tenantId = tenantOf(caller);
  return createAudited(deps, 'compliance_policy', tenantId, (transaction) =>
    CompliancePolicy.create({ ...fields, tenantId, createdById: caller.id }, { transaction }),
  );
};

/**
 * Changes a policy that is not retired (409 otherwise): `change` runs with the policy's row locked,
 * in its transaction, and answers what it enqueued for the recurrence run, delivered once it commits.
 */
async function changeUnretiredPolicy(
  caller: AuthUser,
  id: string,
  deps: CommandDeps,
  change: (policy: CompliancePolicy, transaction: Transaction) => Promise<OutboxMessage[]>,
): Promise<CompliancePolicy> {
  const found = await findVisible(caller, compliancePolicyAccess, id);
  const { policy, messages } = await deps.sequelize.transaction(async (transaction) => {
    const policy = (await CompliancePolicy.findByPk(found.id, { lock: transaction.LOCK.UPDATE, transaction }))!;
    refuseRetired(policy);
    return { policy, messages: await change(policy, transaction) };
  });
  await deliverInOrder(messages, deps);
  return policy;
}

/**
 * Changes a policy's title, description or recurrence (`recurrenceDays`, null: no more cycles);
 * its recurrence run is told, and re-bases its timer. A retired policy is a 409.
 */
export const updateCompliancePolicy: UpdateCommand<PolicyFields, CompliancePolicy> = (caller, { id, fields }, deps) =>
  changeUnretiredPolicy(caller, id, deps, async (policy, transaction) => {
    await updateAuditedIn(transaction, deps, 'compliance_policy', policy, fields);
    return fields.recurrenceDays !== undefined ? enqueueRecurrenceChange(policy, transaction, deps) : [];
  });

/**
 * Retires a policy: it starts no more attestation cycles (its recurrence run ends) and no version
 * of it can be published; what was published and acknowledged stays on record. A second retire is a 409.
 */
export const retireCompliancePolicy: Command<{ id: string }, CompliancePolicy> = (caller, { id }, deps) =>
  changeUnretiredPolicy(caller, id, deps, async (policy, transaction) => {
    await updateAuditedIn(transaction, deps, 'compliance_policy', policy, { retiredAt: new Date() }, 'compliance_policy.retire');
    return enqueueRecurrenceChange(policy, transaction, deps);
  });

function refuseRetired(policy: CompliancePolicy): void {
  if (policy.retiredAt) throw conflict('This policy is retired', [{ field: 'retiredAt', message: `is ${policy.retiredAt.toISOString()}` }]);
}

/** Writes the policy's next draft version. */
export const createPolicyVersion: Command<{ policyId: string; fields: VersionFields }, PolicyVersion> = async (
  caller,
  { policyId, fields },
  deps,
) => {
  const tenantId = tenantOf(caller);
  const policy = await findVisible(caller, compliancePolicyAccess, policyId);
  return deps.sequelize.transaction(async (transaction) => {
    // Locking the policy row numbers concurrent drafts one after the other.
    await CompliancePolicy.findByPk(policy.id, { lock: transaction.LOCK.UPDATE, transaction });
    const last = (await PolicyVersion.max('versionNumber', { where: { policyId: policy.id }, transaction })) as number | null;
    const version = await PolicyVersion.create(
      { ...fields, tenantId, policyId: policy.id, versionNumber: (last ?? 0) + 1, createdById: caller.id },
      { transaction },
    );
    await recordAudit(
      deps.auditSource,
      { tenantId, action: 'policy_version.create', entityType: 'policy_version', entityId: version.id, after: version },
      transaction,
    );
    return version;
  });
};

/**
 * Changes a draft. Any other version is a 409: its text was reviewed (in review, approved) or
 * is the text people acknowledge (published, retired), which never changes.
 */
export const updateDraftVersion: UpdateCommand<VersionFields, PolicyVersion> = async (caller, { id, fields }, deps) => {
  const found = await findVisible(caller, policyVersionAccess, id);
  return deps.sequelize.transaction(async (transaction) => {
    // Locked: a submission or publication of this version waits for the change, or the change for it.
    const version = await PolicyVersion.findByPk(found.id, { lock: transaction.LOCK.UPDATE, transaction });
    if (!version) throw notFound('Policy version');
    if (version.status !== 'draft')
      throw conflict(`This version is ${version.status}; only a draft can change (write a new version instead)`, [
        { field: 'status', message: `is ${version.status}` },
      ]);
    return updateAuditedIn(transaction, deps, 'policy_version', version, fields);
  });
};

/**
 * Publishes an approved version: in one transaction (the policy row locked, so two publications
 * of one policy queue up) it becomes published with its due date fixed, the version published
 * before it is retired and the start of the rollout is written to the outbox; after the commit the
 * rollout is started at once, or by the outbox relay if Temporal does not answer now. The status
 * check makes a second publication, or one without an approved review, a 409.
 */
export const publishVersion: Command<{ id: string }, VersionRun & { retiredVersionIds: string[] }> = async (caller, { id }, deps) => {
  const tenantId = tenantOf(caller);
  const draft = await findVisible(caller, policyVersionAccess, id);
  const settings = await TenantSettings.forTenant(tenantId);
  const publishedAt = new Date();
  const dueAt = await acknowledgementDueAt(tenantId, publishedAt, draft.deadlineDays, settings);
  const workflowId = policyRolloutRun.id(draft.id);

  const published = await deps.sequelize.transaction(async (transaction) => {
    const policy = await CompliancePolicy.findByPk(draft.policyId, { lock: transaction.LOCK.UPDATE, transaction });
    const version = await PolicyVersion.findByPk(draft.id, { transaction });
    if (!policy || !version) throw notFound('Policy version');
    refuseRetired(policy);
    if (version.status !== 'approved')
      throw conflict(`This version is ${version.status}; only an approved version can be published`, [
        { field: 'status', message: `is ${version.status}` },
      ]);
    const current = await PolicyVersion.findAll({ where: { policyId: policy.id, status: 'published' }, transaction });
    if (current.some((v) => v.versionNumber > version.versionNumber)) {
      throw conflict('A newer version of this policy is already published', [
        { field: 'versionNumber', message: 'is older than the published version' },
      ]);
    }
    const retiredVersionIds = current.map((v) => v.id);
    // Retire first: at most one version per policy may be published (unique partial index).
    await PolicyVersion.update(
      { status: 'retired', retiredAt: publishedAt },
      { where: { id: { [Op.in]: retiredVersionIds } }, transaction },
    );
    const before = version.toJSON();
    const contentSha256 = PolicyVersion.hashContent(version.content);
    await version.update({ status: 'published', publishedAt, publishedById: caller.id, dueAt, workflowId, contentSha256 }, { transaction });
    const change = {
      tenantId,
      action: 'policy_version.publish',
      entityType: 'policy_version',
      entityId: version.id,
      before,
      after: version,
    };
    await recordAudit(deps.auditSource, change, transaction);
    const start = await deps.outbox.enqueueStart<PolicyRolloutWorkflow>(
      workflowId,
      {
        workflowType: policyRolloutRun.type,
        args: [{ tenantId, versionId: version.id, retiredVersionIds }],
        tenantId,
        status: 'rolling_out',
        summary: `Rollout of "${policy.title}" version ${version.versionNumber}`,
      },
      transaction,
    );
    // A recurring policy's cycles re-base on the new publication.
    const recurrence = policy.recurrenceDays ? await enqueueRecurrenceChange(policy, transaction, deps) : [];
    return { version, retiredVersionIds, start, recurrence };
  });
  const runId = await deps.outbox.deliver(published.start);
  await deliverInOrder(published.recurrence, deps);
  return { version: published.version, retiredVersionIds: published.retiredVersionIds, workflowId, runId: runId ?? null };
};

/**
 * Starts the review run, whose first step records the draft as in review, and answers once it
 * has: the run is the only writer, so whatever crashes when, the row and the run agree.
 */
export const submitVersionForReview: Command<{ id: string }, VersionRun> = async (caller, { id }, deps) => {
  const tenantId = tenantOf(caller);
  const draft = await findVisible(caller, policyVersionAccess, id);
  if (draft.status !== 'draft')
    throw conflict(`Only a draft can be submitted for review; this version is ${draft.status}`, [
      { field: 'status', message: `is ${draft.status}` },
    ]);
  const settings = await TenantSettings.forTenant(tenantId);
  const submittedAt = new Date();
  const reviewDueAt = new Date(submittedAt.getTime() + settings.policyReviewLapseDays * DAY_MS);
  const workflowId = policyApprovalRun.id(draft.id);
  let handle;
  try {
    handle = await deps.temporal.call('rpc', (temporal) =>
      temporal.workflow.start<PolicyApprovalWorkflow>(policyApprovalRun.type, {
        ...workflowStartOptions(deps.config.temporal.taskQueue, {
          workflowId,
          tenantId,
          status: 'in_review',
          summary: `Review of policy version ${draft.versionNumber} (policy ${draft.policyId})`,
          dueAt: reviewDueAt,
        }),
        // One review at a time; a version back in draft may be reviewed again by a new run.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        args: [
          {
            tenantId,
            versionId: draft.id,
            authorId: draft.createdById,
            submittedById: caller.id,
            submittedAt: submittedAt.toISOString(),
            reviewDueAt: reviewDueAt.toISOString(),
            reminderAfterDays: settings.policyReviewReminderDays,
            lapseAfterDays: settings.policyReviewLapseDays,
          },
        ],
      }),
    );
  } catch (err) {
    // A review of this version is open, or its run is still closing after a decision.
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw conflict('This version is already in review, or its last review is still closing; try again in a moment');
    throw err;
  }
  await deps.temporal.call('update', () => handle.executeUpdate(submissionRecordedUpdate));
  return { version: await draft.reload(), workflowId, runId: handle.firstExecutionRunId };
};

/**
 * Sends a reviewer's decision to the version's run, once the caller is known to be none of its
 * makers (403, ./four-eyes.ts). The run's validator refuses a version no longer in review (409);
 * with no review open (never submitted, or its run lapsed or was decided) the version's status is
 * the refusal.
 */
async function decideReview<Request>(
  caller: AuthUser,
  id: string,
  deps: CommandDeps,
  update: UpdateDefinition<unknown, [Request]>,
  request: Request,
): Promise<PolicyVersion> {
  const version = await findVisible(caller, policyVersionAccess, id);
  await assertMayReview(version, caller);
  const decided = await decideOnRun(deps, version, policyApprovalRun.id(version.id), update, request, (now) =>
    conflict(`The version is ${now.status}, not in review`, [{ field: 'status', message: `is ${now.status}` }]),
  );
  return decided.row;
}

/** Approves a version in review (a person, src/access/verbs/person-decisions.ts, none of its makers): it may then be published. */
export const approveVersion: Command<{ id: string }, PolicyVersion> = (caller, { id }, deps) =>
  decideReview(caller, id, deps, approvePolicyVersionUpdate, { userId: caller.id, role: caller.role });

/** Rejects a version in review with a reason (none of its makers): it goes back to draft. */
export const rejectVersion: Command<{ id: string; reason: string }, PolicyVersion> = (caller, { id, reason }, deps) =>
  decideReview(caller, id, deps, rejectPolicyVersionUpdate, { userId: caller.id, role: caller.role, reason });

/** An acknowledgement as its employee is shown it: with the version and the policy it concerns. */
export const WITH_VERSION = [{ model: PolicyVersion, as: 'version', include: [{ model: CompliancePolicy, as: 'policy' }] }];

/** What the employee sends with an acknowledgement, and where the request came from. */
export interface AcknowledgeInput {
  id: string;
  /** The SHA-256 of the text the client showed; when given it must be the version's. */
  contentSha256?: string;
  /** The full name the employee typed to sign, if they did. */
  fullName?: string;
  clientAddress: string | null;
  userAgent: string | null;
}

/**
 * The employee acknowledges the version addressed to them, once, with its evidence (the hash of the
 * text, the client, the name typed); answers the row with its version and policy. Only in person
 * (src/access/verbs/person-decisions.ts): an API key acts as the admin who made it, and would otherwise
 * give that admin's word for them (403).
 */
export const acknowledge: Command<AcknowledgeInput, Acknowledgement> = async (caller, input, deps) => {
  const ack = await findVisible(caller, acknowledgementAccess, input.id, { action: 'acknowledge', include: WITH_VERSION });
  const { version } = ack as Acknowledgement & { version: PolicyVersion };
  // The text shown is the version's, which never changes once published: its hash is the evidence.
  const contentSha256 = PolicyVersion.hashContent(version.content);
  if (input.contentSha256 && input.contentSha256 !== contentSha256)
    throw conflict('The text you were shown is not the text of this policy version', [
      { field: 'contentSha256', message: 'differs from the version content' },
    ]);
  // The name is the employee's own: marked, so the run's history holds it sealed with their key.
  const typedName = input.fullName ? personalData(caller.id, input.fullName) : null;
  const evidence = { contentSha256, clientAddress: input.clientAddress, userAgent: input.userAgent, typedName };
  const request = { userId: caller.id, evidence };
  const decided = await decideOnRun(deps, ack, ack.workflowId!, acknowledgeUpdate, request, (now) => {
    if (now.status === 'acknowledged')
      return conflict('This acknowledgement was already given', [{ field: 'status', message: 'is acknowledged' }]);
    if (now.status === 'superseded')
      return conflict('This policy version was superseded by a newer one', [{ field: 'status', message: 'is superseded' }]);
    if (now.status === 'exempt')
      return conflict('You are no longer in the audience of this policy version', [{ field: 'status', message: 'is exempt' }]);
    return conflict('This acknowledgement is no longer open');
  });
  return decided.row;
};

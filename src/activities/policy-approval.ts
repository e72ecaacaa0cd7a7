/**
 * Activities of `policy-approval-<versionId>` runs. A review round is named by the version and
 * its submission time: a write only touches the version while that very round is in review, so
 * a late retry can neither undo a decision nor reach into a later round.
 */
import type { PolicyReviewMessage } from '../contracts/policy-approval';
import { reviewerIds } from '../domain/compliance/recipients';
import { CompliancePolicy, PolicyVersion } from '../models';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import type { NotificationType } from '../shared/notification-settings';
import type { ActivityDeps } from './deps';
import { changeGuarded } from './guarded-change';
import { createNotificationActivities, NotificationResult } from './notifications';

export interface ReviewRound {
  versionId: string;
  submittedAt: string;
}

export interface ReviewSubmission extends ReviewRound {
  submittedById: string;
  reviewDueAt: string;
}

export interface ReviewOutcome extends ReviewRound {
  outcome: 'approved' | 'rejected' | 'lapsed';
  reviewerId?: string;
  note: string | null;
}

export interface ReviewNotification extends ReviewRound {
  message: PolicyReviewMessage;
  idempotencyKey: string;
  reason?: string;
}

const REVIEW_ACTIONS: Record<ReviewOutcome['outcome'], string> = {
  approved: 'policy_version.approve',
  rejected: 'policy_version.reject',
  lapsed: 'policy_version.lapse',
};

/** The template of each review mail (docs/notifications.md); each names the version and links the policy in the API, as text. */
const REVIEW_TEMPLATES = {
  submitted: 'policyReviewRequested',
  reminder: 'policyReviewReminder',
  approved: 'policyApproved',
  rejected: 'policyChangesRequested',
  lapsed: 'policyReviewLapsed',
} as const satisfies Record<PolicyReviewMessage, NotificationType>;

export function createPolicyApprovalActivities(deps: ActivityDeps) {
  const { sendEmail } = createNotificationActivities(deps);

  async function loadVersion(versionId: string) {
    const version = await PolicyVersion.findByPk(versionId, { include: [{ model: CompliancePolicy, as: 'policy' }] });
    if (!version) throw businessFailure(BusinessErrorType.NotFound, `policy version ${versionId} not found`);
    const { policy } = version as PolicyVersion & { policy: CompliancePolicy };
    return { version, policy };
  }

  const ownerIds = (version: PolicyVersion) => [version.createdById, version.submittedById].filter((id): id is string => Boolean(id));

  return {
    /** The draft goes in review for this round; true when it is (now, or already by an earlier attempt). */
    async recordPolicyReviewSubmitted(input: ReviewSubmission): Promise<boolean> {
      const submittedAt = new Date(input.submittedAt);
      await changeGuarded(
        deps.sequelize,
        PolicyVersion,
        { id: input.versionId, status: 'draft' },
        {
          status: 'in_review',
          submittedAt,
          submittedById: input.submittedById,
          reviewDueAt: new Date(input.reviewDueAt),
          reviewedAt: null,
          reviewedById: null,
          reviewNote: null,
        },
        {
          action: 'policy_version.submit',
          entityType: 'policy_version',
          actorId: input.submittedById,
          dedupeKey: `${input.versionId}:submit:${input.submittedAt}`,
        },
      );
      const version = await PolicyVersion.findByPk(input.versionId);
      return version?.status === 'in_review' && version.submittedAt?.getTime() === submittedAt.getTime();
    },

    /** Approved: publishable. Rejected or lapsed: a draft again, with the reason kept. */
    async recordPolicyReviewOutcome(input: ReviewOutcome): Promise<void> {
      await changeGuarded(
        deps.sequelize,
        PolicyVersion,
        { id: input.versionId, status: 'in_review', submittedAt: new Date(input.submittedAt) },
        {
          status: input.outcome === 'approved' ? 'approved' : 'draft',
          reviewedAt: new Date(),
          reviewedById: input.reviewerId ?? null,
          reviewNote: input.note,
        },
        {
          action: REVIEW_ACTIONS[input.outcome],
          entityType: 'policy_version',
          actorId: input.reviewerId ?? null,
          dedupeKey: `${input.versionId}:outcome:${input.submittedAt}`,
        },
      );
    },

    /** Reviewers hear of a submission, its reminder and a lapse; the author and submitter of every outcome. */
    async notifyPolicyReview(input: ReviewNotification): Promise<NotificationResult> {
      const { version, policy } = await loadVersion(input.versionId);
      const link = `${deps.apiPublicUrl}/api/v1/compliance/policies/${version.policyId}`;
      const values = { title: policy.title, versionNumber: version.versionNumber, link };
      const template = {
        type: REVIEW_TEMPLATES[input.message],
        values: input.message === 'rejected' ? { ...values, reason: input.reason ?? '' } : values,
      };
      const owners = ownerIds(version);
      const toReviewers = input.message === 'submitted' || input.message === 'reminder';
      const userIds = toReviewers
        ? await reviewerIds(version)
        : input.message === 'lapsed'
          ? [...owners, ...(await reviewerIds(version))]
          : owners;
      return sendEmail({ idempotencyKey: input.idempotencyKey, tenantId: version.tenantId, to: { userIds }, template });
    },
  };
}

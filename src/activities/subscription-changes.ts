/**
 * The steps of a policy change the subscription's run carries out (docs/subscriptions.md, Policy
 * changes): held until its effective date (`scheduled`), given up before it (`withdrawn`), or
 * applied (`carryOutPolicyChange`, one transaction). Each is guarded by the change's status, so a
 * retry finds its work done and does nothing more.
 */
import type { Attributes } from 'sequelize';
import { SubscriptionChange, SubscriptionVersion } from '../models';
import type { SubscriptionChangeStatus } from '../models/subscription-change';
import { ensureScheduleDocuments } from '../domain/subscriptions/schedule-document';
import {
  carryOutPolicyChange,
  type AppliedPolicyChange,
  type CarryOutRequest,
  type RefusedPolicyChange,
} from '../domain/subscriptions/changes/carry-out';
import { workflowAuditSource } from './audit-source';
import type { ActivityDeps } from './deps';
import { changeGuarded } from './guarded-change';

export type { AppliedPolicyChange, RefusedPolicyChange };

export interface ScheduleRequest {
  changeId: string;
  confirmedById: string;
  /** The run's clock (ISO), so a retry writes the same value. */
  confirmedAt: string;
}

export interface WithdrawRequest {
  changeId: string;
  /** Who withdrew it, or cancelled the policy it was scheduled on; null when the run cancelled it for non-payment. */
  withdrawnById: string | null;
  withdrawnAt: string;
}

/** The version whose schedule the change's e-mail links. */
export interface VersionRef {
  subscriptionId: string;
  versionNumber: number;
}

export function createSubscriptionChangeActivities(deps: Pick<ActivityDeps, 'sequelize' | 'documents' | 'apiPublicUrl'>) {
  /** Moves the change on from `from`, once (a retry finds it moved), with its audit event. Answers whether it moved. */
  const move = (
    changeId: string,
    from: SubscriptionChangeStatus,
    values: Partial<Attributes<SubscriptionChange>> & { status: SubscriptionChangeStatus },
    action: string,
    actorId: string | null,
  ) =>
    changeGuarded(deps.sequelize, SubscriptionChange, { id: changeId, status: from }, values, {
      action,
      entityType: 'subscription_change',
      actorId,
      dedupeKey: `${changeId}:${values.status}`,
    });

  return {
    /** A confirmed change whose effective date is still to come: the run waits for it. */
    schedulePolicyChange({ changeId, confirmedById, confirmedAt }: ScheduleRequest): Promise<boolean> {
      const values = { status: 'scheduled', confirmedById, confirmedAt: new Date(confirmedAt) } as const;
      return move(changeId, 'quoted', values, 'subscription.change_schedule', confirmedById);
    },

    /** A scheduled change given up before its effective date. */
    withdrawPolicyChange({ changeId, withdrawnById, withdrawnAt }: WithdrawRequest): Promise<boolean> {
      const values = { status: 'withdrawn', withdrawnById, withdrawnAt: new Date(withdrawnAt) } as const;
      return move(changeId, 'scheduled', values, 'subscription.change_withdraw', withdrawnById);
    },

    /** The change carried out; the answer keeps no personal data, as it lands in the run's history. */
    applyPolicyChange(request: CarryOutRequest): Promise<AppliedPolicyChange | RefusedPolicyChange> {
      return carryOutPolicyChange(deps.sequelize, request, workflowAuditSource(request.confirmedById));
    },

    /**
     * The version's schedule, rendered and stored once (every version lacking one), and where the
     * holder reads it in the API; null on a worker without a document store (the e-mail then says
     * nothing of it: `admin.js backfill-schedules` makes it later).
     */
    async ensureVersionSchedule({ subscriptionId, versionNumber }: VersionRef): Promise<{ documentId: string; url: string } | null> {
      if (!deps.documents) return null;
      const documents = await ensureScheduleDocuments(deps.sequelize, deps.documents, subscriptionId);
      const version = await SubscriptionVersion.findOne({ where: { subscriptionId, number: versionNumber }, rejectOnEmpty: true });
      // The holder's language was rendered last for this version when several are stored.
      const schedule = documents.filter((document) => document.versionId === version.id).at(-1);
      if (!schedule) return null;
      return { documentId: schedule.id, url: `${deps.apiPublicUrl}/api/v1/subscriptions/${subscriptionId}/documents/${schedule.id}` };
    },
  };
}

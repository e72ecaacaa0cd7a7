/**
 * Due instants in business time for workflows (docs/calendars.md). The arithmetic reads time-zone
 * data, which changes with a Node upgrade, so it runs here and the run records the answer: a
 * replay reads the recorded instant instead of computing it again.
 */
import type { AcknowledgementUnits } from '../contracts/acknowledgement';
import { Claim } from '../models';
import { acknowledgementMoments } from '../domain/compliance/acknowledgement-times';
import { dueInstant } from '../domain/calendars/business-time';
import { calendarOfClaim, calendarOfTenant } from '../domain/calendars/tenant-calendars';
import type { DeadlineUnit } from '../shared/business-calendar';

export interface DueInstantsInput {
  tenantId: string;
  /** ISO instant the deadlines count from (entering a stage). */
  start: string;
  amounts: number[];
  unit: DeadlineUnit;
  /**
   * A claim's stay (absent in runs before plans named calendars): the instants count in the
   * calendar of the claim's plan, and the instant of `amounts[escalation]` is kept on the claim
   * row for that stay (the inbox and the SLA report read it); -1 for none.
   */
  claim?: { claimId: string; escalation: number };
}

export interface AcknowledgementMomentsInput {
  tenantId: string;
  /** ISO instant the acknowledgement is due. */
  dueAt: string;
  reminderDaysBefore: number;
  graceDays: number;
  units: AcknowledgementUnits;
}

export function createBusinessTimeActivities() {
  return {
    /** When each of `amounts` `unit`s after `start` falls due, as ISO instants. */
    async dueInstants({ tenantId, start, amounts, unit, claim }: DueInstantsInput): Promise<string[]> {
      const calendar = claim ? await calendarOfClaim(tenantId, claim.claimId) : await calendarOfTenant(tenantId);
      const instants = amounts.map((amount) => dueInstant({ start: new Date(start), amount, unit, calendar }));
      if (claim && claim.escalation >= 0) {
        // Never over a later stay's; the stay's own stage change, if written after this, keeps it
        // (migration 0053's trigger), and the next one clears it.
        await Claim.sequelize!.query(
          `UPDATE claims SET escalation_due_at = :dueAt, escalation_due_for = :start
            WHERE id = :claimId AND tenant_id = :tenantId AND (stage_entered_at IS NULL OR stage_entered_at <= :start)`,
          { replacements: { dueAt: instants[claim.escalation], start: new Date(start), tenantId, claimId: claim.claimId } },
        );
      }
      return instants.map((instant) => instant.toISOString());
    },

    /** When an acknowledgement's reminder and escalations fall due, by the tenant's default calendar, as ISO instants. */
    async acknowledgementMoments({ tenantId, dueAt, units, ...days }: AcknowledgementMomentsInput) {
      const moments = acknowledgementMoments(new Date(dueAt), days, units, await calendarOfTenant(tenantId));
      return {
        reminder: moments.reminder.toISOString(),
        managerAlert: moments.managerAlert.toISOString(),
        complianceAlert: moments.complianceAlert.toISOString(),
      };
    },
  };
}

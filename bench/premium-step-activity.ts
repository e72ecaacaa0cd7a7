import type { createActivities } from '../src/activities';
import { minorUnitDigits } from '../src/shared/money';

export interface DirectPremiumStep {
  subscriptionId: string;
  tenantId: string;
  policyholderId: string;
  planName: string;
  /** true: the instalment is past its grace period (lapse); false: its reminder is due. */
  lapse: boolean;
  /** The day the step is taken (YYYY-MM-DD), and the day a lapse would be cancelled. */
  on: string;
  cancelOn: string;
}

/**
 * A billing day's step made by one activity: read the unpaid instalments, then the reminder e-mail,
 * or the guarded change to `lapsed` and the lapse e-mail; the same templates the run renders.
 */
export function premiumStepDirectlyActivity(activities: ReturnType<typeof createActivities>) {
  return async function premiumStepDirectly(input: DirectPremiumStep): Promise<void> {
    const [due] = await activities.loadPremiumDues(input.subscriptionId);
    const digits = minorUnitDigits(due.currency);
    const values = {
      planName: input.planName,
      subscriptionId: input.subscriptionId,
      invoiceNumber: due.number,
      amount: due.amountMinor / 10 ** digits,
      decimals: String(digits),
      currency: due.currency,
      dueDate: due.dueDate,
    };
    if (input.lapse) {
      await activities.applySubscriptionChange({
        subscriptionId: input.subscriptionId,
        expected: { status: 'active', renewalCount: 0 },
        changes: { status: 'lapsed' },
        effectiveOn: input.on,
      });
    }
    await activities.sendEmail({
      idempotencyKey: `bench-premium-${input.subscriptionId}:${input.lapse ? 'lapsed' : 'reminder'}`,
      tenantId: input.tenantId,
      to: { userIds: [input.policyholderId] },
      template: input.lapse
        ? { type: 'subscriptionLapsed', values: { ...values, lapsedOn: input.on, cancelOn: input.cancelOn } }
        : { type: 'subscriptionPremiumReminder', values },
    });
  };
}

export type PremiumStepDirectly = ReturnType<typeof premiumStepDirectlyActivity>;

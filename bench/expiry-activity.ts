import { createActivities } from '../src/activities';

export interface DirectExpiry {
  subscriptionId: string;
  tenantId: string;
  policyholderId: string;
}

/** The expiry's writes and e-mail, made by one activity: the row change, then the notification. */
export function expireDirectlyActivity(activities: ReturnType<typeof createActivities>) {
  return async function expireDirectly(input: DirectExpiry): Promise<void> {
    await activities.applySubscriptionChange({
      subscriptionId: input.subscriptionId,
      expected: { status: 'active', renewalCount: 0 },
      changes: { status: 'expired' },
    });
    await activities.sendEmail({
      idempotencyKey: `bench-expiry-${input.subscriptionId}:expired`,
      tenantId: input.tenantId,
      to: { userIds: [input.policyholderId] },
      subject: 'Your Home Basic subscription has expired',
      text: `Your subscription ${input.subscriptionId} expired.`,
    });
  };
}

export type ExpireDirectly = ReturnType<typeof expireDirectlyActivity>;

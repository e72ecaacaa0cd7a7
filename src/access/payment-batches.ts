/** A tenant's payment batches are its claims managers' (the route's roles): another tenant's is a 404. */
import { PaymentBatch } from '../models';
import { AccessRule, tenantOf } from './core';

export const paymentBatchAccess: AccessRule<PaymentBatch> = {
  resource: 'Payment batch',
  model: PaymentBatch,
  scope: (caller) => ({ tenantId: tenantOf(caller) }),
  canSee: (caller, batch) => batch.tenantId === caller.tenantId,
};

/** The premium commands as the API exposes them: access verb and input once, for REST and GraphQL alike. */
import { recordManualPayment, recordRefundPaid, refundCredit } from '../../domain/premiums/commands';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { creditRefundBody, creditRefundParams, manualPaymentBody, refundPaidBody, refundPaidParams } from './schemas';

/** Tenant admins only (the verb's): a policyholder pays through the payment provider, never by declaring it; other staff, claims managers too, 403. */
export const recordManualPaymentOperation = operation({
  name: 'premiums.recordManualPayment',
  verb: 'recordPremiumPayment',
  params: idParams,
  body: manualPaymentBody,
  run: recordManualPayment,
});

/** Tenant admins and claims managers (the verb's) record a refund owed by hand, or refused by the provider, paid back; other staff and policyholders 403. */
export const recordRefundPaidOperation = operation({
  name: 'premiums.recordRefundPaid',
  verb: 'recordRefundPaid',
  params: refundPaidParams,
  body: refundPaidBody,
  run: recordRefundPaid,
});

/** The roles that record a refund paid back (the verb's) give a payment's credit back; other staff and policyholders 403. */
export const refundCreditOperation = operation({
  name: 'premiums.refundCredit',
  verb: 'refundCredit',
  params: creditRefundParams,
  body: creditRefundBody,
  run: refundCredit,
});

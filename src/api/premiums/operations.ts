/** The premium commands as the API exposes them: roles and input once, for REST and GraphQL alike. */
import { PREMIUM_PAYMENT_ROLES } from '../../access/invoices';
import { recordManualPayment } from '../../domain/premiums/commands';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { manualPaymentBody } from './schemas';

/** Finance roles only (PREMIUM_PAYMENT_ROLES): a policyholder pays through the payment provider, never by declaring it; other staff 403. */
export const recordManualPaymentOperation = operation({
  name: 'premiums.recordManualPayment',
  roles: [...PREMIUM_PAYMENT_ROLES],
  params: idParams,
  body: manualPaymentBody,
  run: recordManualPayment,
});

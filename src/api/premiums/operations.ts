/** The premium commands as the API exposes them: roles and input once, for REST and GraphQL alike. */
import { recordManualPayment } from '../../domain/premiums/commands';
import { STAFF_ROLES } from '../../shared/roles';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { manualPaymentBody } from './schemas';

/** Staff only: a policyholder pays through the payment provider, never by declaring it (403). */
export const recordManualPaymentOperation = operation({
  name: 'premiums.recordManualPayment',
  roles: STAFF_ROLES,
  params: idParams,
  body: manualPaymentBody,
  run: recordManualPayment,
});

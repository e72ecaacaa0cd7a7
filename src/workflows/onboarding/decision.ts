/**
 * Who decides a registration and while it may be decided: the approve and reject Updates'
 * validator, which refuses before anything is recorded (wrong role 403, a second decision or one
 * after expiry 409).
 */
import type { RegistrationDecider, RegistrationStatus } from '../../contracts/onboarding';
import { roleMay } from '../../access/verbs';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import type { Decision } from '../support/decision-updates';

export function checkDecidable(
  status: RegistrationStatus,
  decision: Decision<RegistrationDecider> | undefined,
  by: RegistrationDecider,
): void {
  if (!roleMay(by.role, 'decideRegistration'))
    throw businessFailure(BusinessErrorType.Forbidden, 'Only platform admins decide registrations');
  if (status === 'expired') throw businessFailure(BusinessErrorType.Conflict, 'The registration has expired');
  if (decision) throw businessFailure(BusinessErrorType.Conflict, `The registration was already ${decision.outcome}`);
}

import { modelOf, required, optional, rowColumns } from './columns';
import type { RegistrationStatus } from '../contracts/onboarding';

const registrationColumns = () =>
  rowColumns({
    companyName: required.string(200),
    businessType: required.string(100),
    phone: required.string(40),
    contactEmail: required.string(254),
    address: required.text(),
    requestedSlug: required.string(63),
    adminEmail: required.string(254),
    adminFullName: required.string(200),
    /** Password hash (argon2id) made on arrival; the provisioned admin user receives it as is. Never returned. */
    adminPasswordHash: required.string(255),
    status: required.string<RegistrationStatus>(30, { defaultValue: 'pending' }),
    decidedById: optional.uuid(),
    decidedAt: optional.date(),
    /** Why it was rejected, expired or could not be provisioned. */
    reason: optional.text(),
    tenantId: optional.uuid(),
    workflowId: required.string(200),
    runId: optional.string(100),
  });

/**
 * A company's request to join the platform (docs/onboarding.md). The row belongs to the
 * `onboarding-<id>` workflow: only its activities change the status after submission.
 */
export class Registration extends modelOf('registrations', registrationColumns) {
  override toJSON(): object {
    const { adminPasswordHash: _secret, ...visible } = this.get();
    return visible;
  }
}

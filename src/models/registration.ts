import { CreationOptional, Sequelize } from 'sequelize';
import { Row, required, optional, rowColumns, tableOptions } from './columns';
import type { RegistrationStatus } from '../contracts/onboarding';

/**
 * A company's request to join the platform (docs/onboarding.md). The row belongs to the
 * `onboarding-<id>` workflow: only its activities change the status after submission.
 */
export class Registration extends Row<Registration> {
  declare companyName: string;
  declare businessType: string;
  declare phone: string;
  declare contactEmail: string;
  declare address: string;
  declare requestedSlug: string;
  declare adminEmail: string;
  declare adminFullName: string;
  /** Password hash (argon2id) made on arrival; the provisioned admin user receives it as is. Never returned. */
  declare adminPasswordHash: string;
  declare status: CreationOptional<RegistrationStatus>;
  declare decidedById: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;
  /** Why it was rejected, expired or could not be provisioned. */
  declare reason: CreationOptional<string | null>;
  declare tenantId: CreationOptional<string | null>;
  declare workflowId: string;
  declare runId: CreationOptional<string | null>;

  override toJSON(): object {
    const { adminPasswordHash: _secret, ...visible } = this.get();
    return visible;
  }

  static initModel(sequelize: Sequelize): void {
    Registration.init(
      rowColumns({
        companyName: required.string(200),
        businessType: required.string(100),
        phone: required.string(40),
        contactEmail: required.string(254),
        address: required.text(),
        requestedSlug: required.string(63),
        adminEmail: required.string(254),
        adminFullName: required.string(200),
        adminPasswordHash: required.string(255),
        status: required.string(30, { defaultValue: 'pending' }),
        decidedById: optional.uuid(),
        decidedAt: optional.date(),
        reason: optional.text(),
        tenantId: optional.uuid(),
        workflowId: required.string(200),
        runId: optional.string(100),
      }),
      tableOptions(sequelize, 'registrations'),
    );
  }
}

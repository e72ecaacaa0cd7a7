import { CreationOptional, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, tenantColumn, timestampColumns, tableOptions } from './columns';
import type { RemindRecipientStatus } from '../contracts/compliance-remind';

/**
 * One "remind now" of a published policy version, run by `compliance-remind-<id>`: everyone whose
 * acknowledgement was open when it was asked is one recipient row.
 */
export class ComplianceRemind extends Timestamped<ComplianceRemind> {
  declare id: string;
  declare tenantId: string;
  declare versionId: string;
  declare requestedById: string;
  declare workflowId: string;

  static initModel(sequelize: Sequelize): void {
    ComplianceRemind.init(
      {
        id: uuidKey(),
        ...tenantColumn(),
        versionId: required.uuid(),
        requestedById: required.uuid(),
        workflowId: required.string(200),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'compliance_reminds'),
    );
  }
}

/** One person a remind reaches (through their acknowledgement), and whether it has. */
export class ComplianceRemindRecipient extends Model<
  InferAttributes<ComplianceRemindRecipient>,
  InferCreationAttributes<ComplianceRemindRecipient>
> {
  declare remindId: string;
  declare acknowledgementId: string;
  declare status: CreationOptional<RemindRecipientStatus>;
  declare handledAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    ComplianceRemindRecipient.init(
      {
        remindId: required.uuid({ primaryKey: true }),
        acknowledgementId: required.uuid({ primaryKey: true }),
        status: required.string(20, { defaultValue: 'pending' }),
        handledAt: optional.date(),
      },
      tableOptions(sequelize, 'compliance_remind_recipients', { timestamps: false }),
    );
  }
}

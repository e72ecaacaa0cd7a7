import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';
import type { AcknowledgementStatus } from '../contracts/acknowledgement';

/** One employee's duty to acknowledge one policy version. Owned by its workflow `ack-<id>`. */
export class Acknowledgement extends TenantRow<Acknowledgement> {
  declare versionId: string;
  declare employeeId: string;
  /** The attestation cycle of the version it belongs to (1 = the publication); one row per version, employee and cycle. */
  declare cycle: CreationOptional<number>;
  declare dueAt: Date;
  declare status: CreationOptional<AcknowledgementStatus>;
  declare acknowledgedAt: CreationOptional<Date | null>;
  declare remindersSent: CreationOptional<number>;
  /** 0 none, 1 manager alerted, 2 compliance team alerted. */
  declare escalationLevel: CreationOptional<number>;
  declare workflowId: CreationOptional<string | null>;
  /** Counts the runs: a person exempted who joins the audience again gets run 2, `ack-<id>-2`. */
  declare runNumber: CreationOptional<number>;
  declare exemptedAt: CreationOptional<Date | null>;
  /** Evidence of the acknowledgement: the SHA-256 of the text shown, where from, the name typed. */
  declare contentSha256: CreationOptional<string | null>;
  declare clientAddress: CreationOptional<string | null>;
  declare userAgent: CreationOptional<string | null>;
  declare typedName: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    Acknowledgement.init(
      tenantRowColumns({
        versionId: required.uuid(),
        employeeId: required.uuid(),
        cycle: required.integer({ defaultValue: 1 }),
        dueAt: required.date(),
        status: required.string(20, { defaultValue: 'pending' }),
        acknowledgedAt: optional.date(),
        remindersSent: required.integer({ defaultValue: 0 }),
        escalationLevel: required.integer({ defaultValue: 0 }),
        workflowId: optional.string(200),
        runNumber: required.integer({ defaultValue: 1 }),
        exemptedAt: optional.date(),
        contentSha256: optional.string(64),
        clientAddress: optional.string(64),
        userAgent: optional.string(500),
        typedName: optional.string(200),
      }),
      tableOptions(sequelize, 'acknowledgements'),
    );
  }
}

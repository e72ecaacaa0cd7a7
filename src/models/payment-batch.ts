import { DataTypes, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, tenantColumn, timestampColumns, tableOptions } from './columns';

/**
 * Approved claim payments issued together as one bank credit-transfer file (ISO 20022
 * pain.001.001.09, docs/claim-money.md, Payment batches), kept as it was sent.
 */
export class PaymentBatch extends Timestamped<PaymentBatch> {
  declare id: string;
  declare tenantId: string;
  /** The file's message ID (GrpHdr/MsgId): unique in the tenant. */
  declare messageId: string;
  declare currency: string;
  declare paymentCount: number;
  declare total: string;
  declare requestedExecutionDate: string;
  declare debtorName: string;
  declare debtorIban: string;
  declare debtorBic: string | null;
  declare file: string;
  declare createdById: string;

  /** What the API shows: the batch without its tenant and file (`GET /payment-batches/:id/file` serves that). */
  override toJSON(): object {
    const { tenantId: _tenant, file: _file, ...shown } = this.get();
    return shown;
  }

  static initModel(sequelize: Sequelize): void {
    PaymentBatch.init(
      {
        id: uuidKey(),
        ...tenantColumn(),
        messageId: required.string(35),
        currency: required(DataTypes.CHAR(3)),
        paymentCount: required.integer(),
        total: required(DataTypes.DECIMAL(14, 2)),
        requestedExecutionDate: required(DataTypes.DATEONLY),
        debtorName: required.string(70),
        debtorIban: required.string(34),
        debtorBic: optional.string(11),
        file: required.text(),
        createdById: required.uuid(),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'payment_batches'),
    );
  }
}

import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * An activity that failed its third attempt or a later one and has not succeeded since: one row
 * per activity of a run, kept up to date by each failed attempt and deleted by its success
 * (src/activities/incidents.ts). `lastError` is scrubbed of anything that looks like a secret.
 */
export class ActivityIncident extends Model<InferAttributes<ActivityIncident>, InferCreationAttributes<ActivityIncident>> {
  declare id: CreationOptional<string>;
  declare tenantId: string | null;
  declare workflowId: string;
  declare runId: string;
  declare workflowType: string;
  declare activityId: string;
  declare activityType: string;
  declare attempts: number;
  declare lastError: string;
  /** When its third failed attempt was recorded. */
  declare since: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ActivityIncident.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID },
        workflowId: { type: DataTypes.STRING(255), allowNull: false },
        runId: { type: DataTypes.STRING(64), allowNull: false },
        workflowType: { type: DataTypes.STRING(100), allowNull: false },
        activityId: { type: DataTypes.STRING(255), allowNull: false },
        activityType: { type: DataTypes.STRING(100), allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false },
        lastError: { type: DataTypes.STRING(500), allowNull: false },
        since: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'activity_incidents', underscored: true },
    );
  }
}

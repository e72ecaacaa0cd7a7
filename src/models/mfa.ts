/**
 * A user's second factor (docs/accounts.md, Second factor): the TOTP enrolment, the recovery codes
 * and the challenges between a sign-in's password step and its code. Nothing here is ever shown by
 * the API as it is stored.
 */
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/** A user's TOTP secret (encrypted, src/services/totp.ts), confirmed once `enrolledAt` is set. */
export class UserMfa extends Model<InferAttributes<UserMfa>, InferCreationAttributes<UserMfa>> {
  declare userId: string;
  declare secretEncrypted: string;
  declare enrolledAt: CreationOptional<Date | null>;
  /** The TOTP time step of the last code accepted: a code of this step or an earlier one is refused. */
  declare lastUsedStep: CreationOptional<number | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    UserMfa.init(
      {
        userId: { type: DataTypes.UUID, primaryKey: true },
        secretEncrypted: { type: DataTypes.STRING(200), allowNull: false },
        enrolledAt: { type: DataTypes.DATE },
        // PostgreSQL answers BIGINT as a string; a time step (about 6e7 now) fits a number exactly.
        lastUsedStep: {
          type: DataTypes.BIGINT,
          get(this: UserMfa) {
            const raw = this.getDataValue('lastUsedStep') as number | string | null;
            return raw === null || raw === undefined ? null : Number(raw);
          },
        },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'user_mfa', underscored: true },
    );
  }
}

/** One recovery code, stored only as its SHA-256; used once. */
export class MfaRecoveryCode extends Model<InferAttributes<MfaRecoveryCode>, InferCreationAttributes<MfaRecoveryCode>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare codeHash: string;
  declare usedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    MfaRecoveryCode.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        userId: { type: DataTypes.UUID, allowNull: false },
        codeHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        usedAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'mfa_recovery_codes', underscored: true, updatedAt: false },
    );
  }
}

export const MFA_CHALLENGE_PURPOSES = ['sign_in', 'enrol'] as const;
export type MfaChallengePurpose = (typeof MFA_CHALLENGE_PURPOSES)[number];

/** A short-lived, single-use token, stored only as its SHA-256, with the wrong codes sent against it. */
export class MfaChallenge extends Model<InferAttributes<MfaChallenge>, InferCreationAttributes<MfaChallenge>> {
  declare id: CreationOptional<string>;
  declare userId: string;
  declare purpose: MfaChallengePurpose;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare failedAttempts: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    MfaChallenge.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        userId: { type: DataTypes.UUID, allowNull: false },
        purpose: { type: DataTypes.STRING(20), allowNull: false },
        tokenHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        usedAt: { type: DataTypes.DATE },
        failedAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'mfa_challenges', underscored: true, updatedAt: false },
    );
  }
}

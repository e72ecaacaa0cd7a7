/**
 * A user's second factor (docs/accounts.md, Second factor): the TOTP enrolment, the recovery codes
 * and the challenges between a sign-in's password step and its code. Nothing here is ever shown by
 * the API as it is stored.
 */
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, idColumn, timestampColumns, optionalBigintNumber, tableOptions } from './columns';

/** A user's TOTP secret (encrypted, src/services/totp.ts), confirmed once `enrolledAt` is set. */
export class UserMfa extends Timestamped<UserMfa> {
  declare userId: string;
  declare secretEncrypted: string;
  declare enrolledAt: CreationOptional<Date | null>;
  /** The TOTP time step of the last code accepted: a code of this step or an earlier one is refused. */
  declare lastUsedStep: CreationOptional<number | null>;

  static initModel(sequelize: Sequelize): void {
    UserMfa.init(
      {
        userId: uuidKey(),
        secretEncrypted: required.string(200),
        enrolledAt: optional.date(),
        // A time step (about 6e7 now) fits a number exactly.
        lastUsedStep: optionalBigintNumber('lastUsedStep'),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'user_mfa'),
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
        ...idColumn(),
        userId: required.uuid(),
        codeHash: required.string(64, { unique: true }),
        usedAt: optional.date(),
        createdAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'mfa_recovery_codes', { updatedAt: false }),
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
        ...idColumn(),
        userId: required.uuid(),
        purpose: required.string(20),
        tokenHash: required.string(64, { unique: true }),
        expiresAt: required.date(),
        usedAt: optional.date(),
        failedAttempts: required.integer({ defaultValue: 0 }),
        createdAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'mfa_challenges', { updatedAt: false }),
    );
  }
}

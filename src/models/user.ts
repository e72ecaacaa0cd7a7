import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { Role, ROLES } from '../shared/roles';
import type { Locale } from '../shared/notification-settings';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<string>;
  declare tenantId: string | null;
  declare email: string;
  declare fullName: string;
  declare role: Role;
  declare managerId: CreationOptional<string | null>;
  declare passwordHash: string;
  declare isActive: CreationOptional<boolean>;
  declare lastLoginAt: CreationOptional<Date | null>;
  /** Null while a self-registered account waits for its link to be followed: it cannot log in. */
  declare emailVerifiedAt: CreationOptional<Date | null>;
  /**
   * When a tenant admin set the account's address; null once its owner followed the link mailed
   * there (or for an address its owner proved). Meanwhile no password reset goes to it.
   */
  declare emailUnverifiedSince: CreationOptional<Date | null>;
  /** Raised when every session is revoked: access tokens carrying an older version are refused. */
  declare sessionVersion: CreationOptional<number>;
  /** The language of their mails (docs/notifications.md, Languages); null: the tenant's default. */
  declare locale: CreationOptional<Locale | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  override toJSON(): object {
    return {
      id: this.id,
      tenantId: this.tenantId,
      email: this.email,
      fullName: this.fullName,
      role: this.role,
      managerId: this.managerId,
      isActive: this.isActive,
      lastLoginAt: this.lastLoginAt,
      emailVerifiedAt: this.emailVerifiedAt,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  static initModel(sequelize: Sequelize): void {
    User.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID },
        email: {
          type: DataTypes.STRING(254),
          allowNull: false,
          unique: true,
          set(value: string) {
            this.setDataValue('email', value.trim().toLowerCase());
          },
        },
        fullName: { type: DataTypes.STRING(200), allowNull: false },
        role: { type: DataTypes.STRING(30), allowNull: false, validate: { isIn: [ROLES as unknown as string[]] } },
        managerId: { type: DataTypes.UUID },
        passwordHash: { type: DataTypes.STRING(255), allowNull: false },
        isActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        lastLoginAt: { type: DataTypes.DATE },
        // Accounts made by an admin, the onboarding or the CLI are verified as they are made.
        emailVerifiedAt: { type: DataTypes.DATE, defaultValue: DataTypes.NOW },
        emailUnverifiedSince: { type: DataTypes.DATE },
        sessionVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        locale: { type: DataTypes.STRING(5) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'users', underscored: true },
    );
  }
}

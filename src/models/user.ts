import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { Row, required, optional, rowColumns, tableOptions } from './columns';
import { Role, ROLES } from '../shared/roles';
import type { Locale } from '../shared/notification-settings';

export class User extends Row<User> {
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
      rowColumns({
        tenantId: optional.uuid(),
        email: required.string(254, {
          unique: true,
          set(value: string) {
            this.setDataValue('email', value.trim().toLowerCase());
          },
        }),
        fullName: required.string(200),
        role: required.string(30, { validate: { isIn: [ROLES as unknown as string[]] } }),
        managerId: optional.uuid(),
        passwordHash: required.string(255),
        isActive: required(DataTypes.BOOLEAN, { defaultValue: true }),
        lastLoginAt: optional.date(),
        // Accounts made by an admin, the onboarding or the CLI are verified as they are made.
        emailVerifiedAt: optional.date({ defaultValue: DataTypes.NOW }),
        emailUnverifiedSince: optional.date(),
        sessionVersion: required.integer({ defaultValue: 0 }),
        locale: optional.string(5),
      }),
      tableOptions(sequelize, 'users'),
    );
  }
}

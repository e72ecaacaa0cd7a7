import { DataTypes } from 'sequelize';
import { modelOf, required, optional, rowColumns } from './columns';
import { Role, ROLES } from '../shared/roles';
import type { Locale } from '../shared/notification-settings';

const userColumns = () =>
  rowColumns({
    tenantId: optional.uuid(),
    email: required.string(254, {
      unique: true,
      set(value: string) {
        this.setDataValue('email', value.trim().toLowerCase());
      },
    }),
    fullName: required.string(200),
    role: required.string<Role>(30, { validate: { isIn: [ROLES as unknown as string[]] } }),
    managerId: optional.uuid(),
    passwordHash: required.string(255),
    isActive: required.boolean({ defaultValue: true }),
    lastLoginAt: optional.date(),
    /**
     * Null while a self-registered account waits for its link to be followed: it cannot log in.
     * Accounts made by an admin, the onboarding or the CLI are verified as they are made.
     */
    emailVerifiedAt: optional.date({ defaultValue: DataTypes.NOW }),
    /**
     * When a tenant admin set the account's address; null once its owner followed the link mailed
     * there (or for an address its owner proved). Meanwhile no password reset goes to it.
     */
    emailUnverifiedSince: optional.date(),
    /** Raised when every session is revoked: access tokens carrying an older version are refused. */
    sessionVersion: required.integer({ defaultValue: 0 }),
    /** The language of their mails (docs/notifications.md, Languages); null: the tenant's default. */
    locale: optional.string<Locale>(5),
  });

export class User extends modelOf('users', userColumns) {
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
}

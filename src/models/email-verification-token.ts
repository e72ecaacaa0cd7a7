import { InferCreationAttributes } from 'sequelize';
import { modelOf, required, optional, idColumn, createdAtColumn, singleUseTokenColumns } from './columns';
import type { Role } from '../shared/roles';
import type { Registration } from './registration';

/**
 * What a link is for, and so the one route that takes it: `account` proves a new account's address
 * (POST /auth/verify-email), `invitation` does that and chooses the password of a member invited
 * without one (POST /auth/accept-invitation), `registration` submits a company registration,
 * `email_change` moves an account to a new address.
 */
export type EmailVerificationPurpose = 'account' | 'invitation' | 'registration' | 'email_change';

/** A company registration as submitted, waiting for its admin e-mail to be proven. */
export type UnverifiedRegistration = Pick<
  InferCreationAttributes<Registration>,
  | 'companyName'
  | 'businessType'
  | 'phone'
  | 'contactEmail'
  | 'address'
  | 'requestedSlug'
  | 'adminEmail'
  | 'adminFullName'
  | 'adminPasswordHash'
>;

/** An account asked for an address that a waiting account holds, its password already hashed (migration 0034). */
export interface RequestedAccount {
  tenantId: string;
  email: string;
  fullName: string;
  role: Role;
  managerId: string | null;
  passwordHash: string;
}

const emailVerificationTokenColumns = () => ({
  ...idColumn(),
  purpose: required.string<EmailVerificationPurpose>(20),
  userId: optional.uuid(),
  registration: optional.json<UnverifiedRegistration>(),
  account: optional.json<RequestedAccount>(),
  newEmail: optional.string(254),
  /** The tenant admin who asked for the account (POST /users): the link works only while they could still ask (migration 0112). */
  invitedBy: optional.uuid(),
  ...singleUseTokenColumns(),
  ...createdAtColumn(),
});

/**
 * A link mailed to prove an address, stored only as its SHA-256; usable once, until it expires.
 * It activates an account waiting for it (`userId`; `newEmail`, when set, the address it must
 * still have), or carries the account asked for an address a waiting account holds (`account`,
 * `newEmail` its address), which replaces the waiting one once followed, or carries a company registration
 * (`registration`: the validated request, its password already hashed) until it is submitted,
 * or moves an account to the address it was mailed to (`newEmail`, purpose `email_change`).
 */
export class EmailVerificationToken extends modelOf('email_verification_tokens', emailVerificationTokenColumns, { updatedAt: false }) {}

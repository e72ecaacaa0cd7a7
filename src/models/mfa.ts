/**
 * A user's second factor (docs/accounts.md, Second factor): the TOTP enrolment, the recovery codes
 * and the challenges between a sign-in's password step and its code. Nothing here is ever shown by
 * the API as it is stored.
 */
import {
  modelOf,
  required,
  optional,
  uuidKey,
  idColumn,
  createdAtColumn,
  timestampColumns,
  optionalBigintNumber,
  singleUseTokenColumns,
} from './columns';

const userMfaColumns = () => ({
  userId: uuidKey(),
  secretEncrypted: required.string(200),
  enrolledAt: optional.date(),
  // A time step (about 6e7 now) fits a number exactly.
  /** The TOTP time step of the last code accepted: a code of this step or an earlier one is refused. */
  lastUsedStep: optionalBigintNumber('lastUsedStep'),
  ...timestampColumns(),
});

/** A user's TOTP secret (encrypted, src/services/totp.ts), confirmed once `enrolledAt` is set. */
export class UserMfa extends modelOf('user_mfa', userMfaColumns) {}

const mfaRecoveryCodeColumns = () => ({
  ...idColumn(),
  userId: required.uuid(),
  codeHash: required.string(64, { unique: true }),
  usedAt: optional.date(),
  ...createdAtColumn(),
});

/** One recovery code, stored only as its SHA-256; used once. */
export class MfaRecoveryCode extends modelOf('mfa_recovery_codes', mfaRecoveryCodeColumns, { updatedAt: false }) {}

export const MFA_CHALLENGE_PURPOSES = ['sign_in', 'enrol'] as const;
export type MfaChallengePurpose = (typeof MFA_CHALLENGE_PURPOSES)[number];

const mfaChallengeColumns = () => ({
  ...idColumn(),
  userId: required.uuid(),
  purpose: required.string<MfaChallengePurpose>(20),
  ...singleUseTokenColumns(),
  failedAttempts: required.integer({ defaultValue: 0 }),
  ...createdAtColumn(),
});

/** A short-lived, single-use token, stored only as its SHA-256, with the wrong codes sent against it. */
export class MfaChallenge extends modelOf('mfa_challenges', mfaChallengeColumns, { updatedAt: false }) {}

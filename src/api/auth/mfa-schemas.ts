import Joi from 'joi';
import { RECOVERY_CODE_SOURCE, TOTP_CODE_SOURCE } from '../../services/totp';
import { presenceProof } from '../http/common-schemas';
import { object, required } from '../../shared/typed-schema';
import { sessionSchema } from './schemas';

/** Exactly six digits, as an authenticator app shows them. */
const totpCode = Joi.string()
  .pattern(new RegExp(`^${TOTP_CODE_SOURCE}$`), 'six digits')
  .description('the six digits the authenticator app shows now');
/** Six digits, or a recovery code (`xxxx-xxxx-xxxx-xxxx`). */
export const codeOrRecoveryCode = Joi.string()
  .pattern(new RegExp(`^(?:${TOTP_CODE_SOURCE}|${RECOVERY_CODE_SOURCE})$`), 'six digits or a recovery code')
  .description('the six digits the authenticator app shows now, or one of the recovery codes (xxxx-xxxx-xxxx-xxxx), used up');
/** What a page a mailed link opens asks as signing in would (src/domain/identity/owner-proof.ts): the password and, if the account has one, a code of its second factor. */
export const ownerProofKeys = {
  currentPassword: required(Joi.string().min(1).max(128)),
  code: codeOrRecoveryCode.allow(''),
};
/** The single-use tokens of the sign-in's steps: 32 random bytes, base64url. */
const stepToken = Joi.string().pattern(/^[A-Za-z0-9_-]{43}$/, 'token');

/** The password, unless the caller signed in a moment ago (src/domain/identity/mfa.ts, startEnrolment). */
export const mfaEnrolmentBody = object({
  currentPassword: presenceProof,
}).label('MfaEnrolmentRequest');
export const mfaCodeBody = object({ code: required(totpCode) }).label('MfaCodeRequest');
export const mfaProofBody = object({ code: required(codeOrRecoveryCode) }).label('MfaProofRequest');
export const mfaVerifyBody = object({ challenge: required(stepToken), code: required(codeOrRecoveryCode) }).label('MfaVerifyRequest');
export const enrolmentTokenBody = object({ enrolmentToken: required(stepToken) }).label('MfaEnrolmentTokenRequest');
export const enrolmentTokenConfirmBody = object({ enrolmentToken: required(stepToken), code: required(totpCode) }).label(
  'MfaEnrolmentTokenConfirmRequest',
);

export const enrolmentSchema = Joi.object({
  otpauthUri: Joi.string().description('otpauth://totp/Insurflow:<e-mail>?secret=…&issuer=Insurflow, for a QR code'),
  secret: Joi.string().description('the base32 secret, for typing in; never answered again'),
}).label('MfaEnrolment');

const recoveryCodes = Joi.array().items(Joi.string()).description('single-use codes, shown this once');
export const recoveryCodesSchema = Joi.object({ recoveryCodes }).label('MfaRecoveryCodes');
export const enrolledSessionSchema = sessionSchema.keys({ recoveryCodes }).label('MfaEnrolledSession');

export const mfaStatusSchema = Joi.object({
  enrolled: Joi.boolean(),
  enrolledAt: Joi.date().allow(null),
  recoveryCodesLeft: Joi.number().integer(),
  required: Joi.boolean(),
}).label('MfaStatus');

/** What the password step answers: the session, or the step that comes before it. */
export const signInSchema = Joi.alternatives()
  .try(
    sessionSchema,
    Joi.object({
      status: Joi.string().valid('mfa_required').required(),
      challenge: Joi.string().description('answer it with a code at POST /auth/mfa/verify, once, within expiresIn seconds'),
      expiresIn: Joi.number(),
    }).label('MfaRequired'),
    Joi.object({
      status: Joi.string().valid('mfa_enrolment_required').required(),
      enrolmentToken: Joi.string().description('enrol with it at POST /auth/mfa/required-enrolment, within expiresIn seconds'),
      expiresIn: Joi.number(),
    }).label('MfaEnrolmentRequired'),
  )
  .label('SignIn');

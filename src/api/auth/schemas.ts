import Joi from 'joi';
import { email, oneLineText, password, userSchema } from '../http/common-schemas';
import { object, required } from '../../shared/typed-schema';

export const registerBody = object({
  tenantSlug: required(Joi.string().trim().lowercase().max(63)),
  email: required(email),
  password: required(password),
  fullName: required(oneLineText(200)),
}).label('RegisterRequest');

export const loginBody = object({
  email: required(email),
  password: required(Joi.string().min(1).max(128)),
}).label('LoginRequest');

export const verifyEmailBody = object({ token: required(Joi.string().max(200)) }).label('VerifyEmailRequest');

export const refreshBody = object({ refreshToken: required(Joi.string().max(200)) }).label('RefreshRequest');

export const tokenPairSchema = Joi.object({
  accessToken: Joi.string(),
  refreshToken: Joi.string(),
  tokenType: Joi.string().valid('Bearer'),
  expiresIn: Joi.number(),
}).label('TokenPair');

export const sessionSchema = Joi.object({ user: userSchema, tokens: tokenPairSchema }).label('Session');

export const changePasswordBody = object({
  currentPassword: required(Joi.string().min(1).max(128)),
  newPassword: required(password),
}).label('ChangePasswordRequest');

export const passwordResetBody = object({ email: required(email) }).label('PasswordResetRequest');

export const passwordResetConfirmBody = object({
  token: required(Joi.string().max(200)),
  newPassword: required(password),
}).label('PasswordResetConfirmRequest');

/** The same two fields: the token is the invitation's account link, the password the member's choice. */
export const acceptInvitationBody = passwordResetConfirmBody.label('AcceptInvitationRequest');

export const accessTokenSchema = Joi.object({
  accessToken: Joi.string(),
  tokenType: Joi.string().valid('Bearer'),
  expiresIn: Joi.number(),
}).label('AccessToken');

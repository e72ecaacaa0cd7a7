import Joi from 'joi';
import { email, password, userSchema } from '../common-schemas';

export const registerBody = Joi.object({
  tenantSlug: Joi.string().trim().lowercase().max(63).required(),
  email: email.required(),
  password: password.required(),
  fullName: Joi.string().trim().min(1).max(200).required(),
}).label('RegisterRequest');

export const loginBody = Joi.object({
  email: email.required(),
  password: Joi.string().min(1).max(128).required(),
}).label('LoginRequest');

export const refreshBody = Joi.object({ refreshToken: Joi.string().max(200).required() }).label('RefreshRequest');

export const tokenPairSchema = Joi.object({
  accessToken: Joi.string(),
  refreshToken: Joi.string(),
  tokenType: Joi.string().valid('Bearer'),
  expiresIn: Joi.number(),
}).label('TokenPair');

export const sessionSchema = Joi.object({ user: userSchema, tokens: tokenPairSchema }).label('Session');

export const changePasswordBody = Joi.object({
  currentPassword: Joi.string().min(1).max(128).required(),
  newPassword: password.required(),
}).label('ChangePasswordRequest');

export const passwordResetBody = Joi.object({ email: email.required() }).label('PasswordResetRequest');

export const passwordResetConfirmBody = Joi.object({
  token: Joi.string().max(200).required(),
  newPassword: password.required(),
}).label('PasswordResetConfirmRequest');

export const accessTokenSchema = Joi.object({
  accessToken: Joi.string(),
  tokenType: Joi.string().valid('Bearer'),
  expiresIn: Joi.number(),
}).label('AccessToken');

export const acceptedSchema = Joi.object({ message: Joi.string() }).label('Accepted');

import Joi from 'joi';
import { email, userSchema } from '../http/common-schemas';
import { object, required } from '../../shared/typed-schema';
import { ownerProofKeys } from './mfa-schemas';

export const emailChangeBody = object({
  newEmail: required(email),
  currentPassword: required(Joi.string().min(1).max(128)),
}).label('EmailChangeRequest');

export const emailChangeConfirmBody = object({ token: required(Joi.string().max(200)) }).label('EmailChangeConfirmRequest');

/** The form of the page the link opens (src/api/pages): the link's token, the account's password and, if it has one, a code of its second factor. */
export const emailChangePageForm = object({
  token: required(Joi.string().max(200)),
  ...ownerProofKeys,
}).label('EmailChangePageForm');

export const emailChangedSchema = Joi.object({
  user: userSchema,
  accessToken: Joi.string(),
  tokenType: Joi.string().valid('Bearer'),
  expiresIn: Joi.number(),
}).label('EmailChanged');

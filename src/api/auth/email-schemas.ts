import Joi from 'joi';
import { email, userSchema } from '../http/common-schemas';
import { object, required } from '../../shared/typed-schema';

export const emailChangeBody = object({
  newEmail: required(email),
  currentPassword: required(Joi.string().min(1).max(128)),
}).label('EmailChangeRequest');

export const emailChangeConfirmBody = object({ token: required(Joi.string().max(200)) }).label('EmailChangeConfirmRequest');

export const emailChangedSchema = Joi.object({
  user: userSchema,
  accessToken: Joi.string(),
  tokenType: Joi.string().valid('Bearer'),
  expiresIn: Joi.number(),
}).label('EmailChanged');

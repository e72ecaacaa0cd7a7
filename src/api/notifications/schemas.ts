import Joi from 'joi';
import { LOCALES, NOTIFICATION_TYPES } from '../../shared/notification-settings';
import { object, oneOf, required } from '../../shared/typed-schema';

// Any string: a type that is not one is answered 404, as an unknown resource is.
export const previewParams = object({ type: required(Joi.string().max(100)) });

export const previewQuery = object({
  locale: oneOf(LOCALES).description("The language to render; default the tenant's defaultLocale"),
});

export const previewSchema = Joi.object({
  type: Joi.string().valid(...NOTIFICATION_TYPES),
  locale: Joi.string().valid(...LOCALES),
  subject: Joi.string(),
  text: Joi.string().description('The plain-text part'),
  html: Joi.string().description('The HTML part'),
  variables: Joi.array().items(Joi.string()).description('The variables an override of its subject or intro may use'),
}).label('NotificationPreview');

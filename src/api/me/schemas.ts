import Joi from 'joi';
import { LOCALES } from '../../shared/notification-settings';
import { nullable, object, oneOf, required, withDefault } from '../../shared/typed-schema';
import { TASK_KINDS } from './tasks';

/** The inbox answers at most this many tasks: it is a worklist, not an export. */
export const MAX_TASKS = 100;

export const tasksQuery = object({
  limit: withDefault(Joi.number().integer().min(1).max(MAX_TASKS), 50),
});

const taskLinkSchema = Joi.object({
  rel: Joi.string(),
  method: Joi.string().valid('GET', 'POST'),
  href: Joi.string(),
}).label('TaskLink');

const taskSchema = Joi.object({
  kind: Joi.string().valid(...TASK_KINDS),
  id: Joi.string().guid(),
  title: Joi.string(),
  dueAt: Joi.date().allow(null).description('When it falls due (escalation, lapse, expiry); null when nothing does'),
  dueAtLocal: Joi.string()
    .allow(null)
    .description("dueAt in the tenant's timeZone, ISO 8601 with its offset (UTC for a platform admin); null when dueAt is"),
  createdAt: Joi.date(),
  links: Joi.array().items(taskLinkSchema).description('The requests that act on it'),
}).label('Task');

export const inboxSchema = Joi.object({
  items: Joi.array().items(taskSchema).description('Ordered by dueAt, earliest first, those without one last'),
  counts: Joi.object(Object.fromEntries(TASK_KINDS.map((kind) => [kind, Joi.number().integer().min(0)]))).description(
    'How many tasks of each kind wait, beyond the limit too',
  ),
  limit: Joi.number().integer(),
}).label('Inbox');

const locale = nullable(oneOf(LOCALES)).description("The language of my mails (docs/notifications.md); null: the tenant's default");

export const mySettingsBody = object({ locale: required(locale) }).label('MySettingsChange');

export const mySettingsSchema = Joi.object({ locale }).label('MySettings');

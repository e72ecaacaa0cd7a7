/**
 * Joi's messages for the rules whose default text quotes the value that failed them. A value that
 * fails a pattern may be a password or a token, and a message travels into answers and logs, so
 * these name the field and the rule, never the value.
 */
export const MESSAGES_WITHOUT_VALUES = {
  'string.pattern.base': '{{#label}} fails to match the required pattern: {{#regex}}',
  'string.pattern.name': '{{#label}} fails to match the {{#name}} pattern',
  'string.pattern.invert.base': '{{#label}} matches the inverted pattern: {{#regex}}',
  'string.pattern.invert.name': '{{#label}} matches the inverted {{#name}} pattern',
} as const;

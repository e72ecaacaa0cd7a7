/**
 * The request schemas carry the validation options as their own preferences (made once per
 * schema, docs/performance.md): every rule of those options must still hold as when they were
 * handed to each call.
 */
import Joi from 'joi';
import { validating } from '../../../src/api/http/middleware/validate';

const schema = Joi.object({
  code: Joi.string().pattern(/^[a-z]+$/),
  count: Joi.number().integer(),
});

describe('validating', () => {
  it('reports every failure, refuses unknown fields, converts, and never quotes a value that failed a pattern', () => {
    const { error } = validating(schema).validate({ code: 'Secret-Token-123', count: 'many', extra: 1 });
    const messages = error!.details.map((d) => d.message);
    expect(error!.details.map((d) => d.path.join('.'))).toEqual(['code', 'count', 'extra']);
    expect(messages.join(' ')).not.toContain('Secret-Token-123');
    expect(messages[0]).toBe('code fails to match the required pattern: /^[a-z]+$/');
    expect(validating(schema).validate({ count: '3' }).value).toEqual({ count: 3 });
  });

  it('prepares each schema once', () => {
    expect(validating(schema)).toBe(validating(schema));
  });
});

/**
 * The request schemas carry the validation options as their own preferences (made once per
 * schema, docs/performance.md): every rule of those options must still hold as when they were
 * handed to each call.
 */
import Joi from 'joi';
import { validate, validating } from '../../../src/api/http/middleware/validate';

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

describe('validate', () => {
  const query = Joi.object({
    page: Joi.number().integer().min(1).default(1),
    ordering: Joi.string().valid('name', '-name').default('-name'),
    status: Joi.string().valid('open'),
  });
  const requestWith = (raw: Record<string, unknown>) =>
    ({ get: () => '', params: {}, query: raw, request: {}, state: {} }) as unknown as Parameters<ReturnType<typeof validate>>[0];
  const next = () => Promise.resolve();
  // The middleware throws a refusal synchronously (koa-compose makes it a rejection): the same here.
  const run = (middleware: ReturnType<typeof validate>, ctx: ReturnType<typeof requestWith>) =>
    Promise.resolve().then(() => middleware(ctx, next));

  it("validates a schema's empty input once and hands each request a copy of its defaults of its own", async () => {
    const middleware = validate({ query });
    const calls = jest.spyOn(validating(query), 'validate');
    const first = requestWith({});
    const second = requestWith({});
    await run(middleware, first);
    await run(middleware, second);
    expect(first.state.input.query).toEqual({ page: 1, ordering: '-name' });
    first.state.input.query.page = 7;
    expect(second.state.input.query).toEqual({ page: 1, ordering: '-name' });
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('answers bad input as before, with every field named', async () => {
    const middleware = validate({ query });
    await run(middleware, requestWith({}));
    await expect(run(middleware, requestWith({ page: '0', status: 'closed', extra: 'x' }))).rejects.toMatchObject({
      status: 400,
      details: [
        { field: 'query.page', message: expect.any(String) },
        { field: 'query.status', message: expect.any(String) },
        { field: 'query.extra', message: expect.any(String) },
      ],
    });
  });

  it('validates every time a schema that refuses an empty input', async () => {
    const required = Joi.object({ page: Joi.number().required() });
    const middleware = validate({ query: required });
    await expect(run(middleware, requestWith({}))).rejects.toMatchObject({ status: 400 });
    await expect(run(middleware, requestWith({}))).rejects.toMatchObject({ status: 400 });
  });
});

/**
 * An object or array answer is written as the bytes of its JSON (src/api/http/middleware/json-answer.ts)
 * with what Koa itself writes for it: the same body, Content-Type and Content-Length; the middleware
 * inside still sees the object; answers with no body, strings and a HEAD are as Koa answers them.
 */
import Koa from 'koa';
import supertest from 'supertest';
import { jsonAnswer } from '../../../src/api/http/middleware/json-answer';

const PAGE = {
  items: [{ id: 'a', note: 'Müller, 東京 "quoted"', amount: '12.50', at: new Date('2026-11-30T12:00:00Z') }],
  pagination: { page: 1 },
};

/** An app answering `body` (and `status`), with or without jsonAnswer, that says what the chain inside saw. */
function appAnswering(body: unknown, options: { withJsonAnswer: boolean; status?: number }): Koa {
  const app = new Koa();
  if (options.withJsonAnswer) app.use(jsonAnswer());
  app.use(async (ctx, next) => {
    await next();
    ctx.set('X-Seen-As', Buffer.isBuffer(ctx.body) ? 'bytes' : typeof ctx.body);
  });
  app.use((ctx) => {
    ctx.body = body;
    if (options.status) ctx.status = options.status;
  });
  return app;
}

async function answerOf(body: unknown, options: { withJsonAnswer: boolean; status?: number; method?: 'get' | 'head' }) {
  const response = await supertest(appAnswering(body, options).callback())
    [options.method ?? 'get']('/')
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
    });
  return {
    status: response.status,
    text: response.body as string,
    type: response.headers['content-type'],
    length: response.headers['content-length'],
    seenAs: response.headers['x-seen-as'],
  };
}

describe('JSON answers written as bytes', () => {
  it.each([
    ['an object', PAGE],
    ['an array', [PAGE, 1, 'two', null]],
  ])('writes %s as Koa does, the chain inside seeing the object', async (_kind, body) => {
    const koa = await answerOf(body, { withJsonAnswer: false });
    const bytes = await answerOf(body, { withJsonAnswer: true });
    expect(bytes).toEqual(koa);
    expect(bytes).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', text: JSON.stringify(body), seenAs: 'object' });
    expect(Number(bytes.length)).toBe(Buffer.byteLength(JSON.stringify(body)));
  });

  it.each([
    ['a string', 'plain text', undefined],
    ['an object with 204', PAGE, 204],
    ['an object with 304', PAGE, 304],
  ])('leaves %s as Koa answers it', async (_kind, body, status) => {
    const koa = await answerOf(body, { withJsonAnswer: false, status });
    expect(await answerOf(body, { withJsonAnswer: true, status })).toEqual(koa);
  });

  it('answers a HEAD with the length of the JSON and no body', async () => {
    const koa = await answerOf(PAGE, { withJsonAnswer: false, method: 'head' });
    const bytes = await answerOf(PAGE, { withJsonAnswer: true, method: 'head' });
    expect(bytes).toEqual(koa);
    expect(Number(bytes.length)).toBe(Buffer.byteLength(JSON.stringify(PAGE)));
  });
});

/**
 * The POST routes anyone may call before signing in (sign-up, using a mailed token, refreshing a
 * session, asking for a reset): a public command (src/domain/command.ts) run on the body. They
 * are never replayed from an Idempotency-Key: a replayed answer would hand out the same tokens
 * again. A route answers the command's result under `response.status`; with `accepted`, that
 * message instead (what follows comes by e-mail); with no response schema, nothing (204). The old
 * way, going with #75: a public write is an operation with `verb: 'public'` (src/api/http/operation.ts).
 */
import type Joi from 'joi';
import type { PublicCommand } from '../../domain/command';
import { publicCommandDeps } from './command-deps';
import { route, type RouteDeclaration, type RouteSpec } from './route';

export function publicCommandRoute<B extends object, R>(
  spec: Pick<RouteDeclaration, 'path' | 'summary' | 'tag' | 'before' | 'response'> & {
    body: Joi.ObjectSchema<B>;
    accepted?: string;
    command: PublicCommand<B, R>;
  },
): RouteSpec {
  const { command, accepted, ...declaration } = spec;
  return route({
    method: 'post',
    ...declaration,
    auth: 'public',
    idempotent: false,
    handler: async (ctx) => {
      const result = await command(ctx.state.input.body, publicCommandDeps(ctx));
      ctx.status = declaration.response.status;
      if (declaration.response.schema) ctx.body = accepted === undefined ? result : { message: accepted };
    },
  });
}

/**
 * The route of a command whose input is the request's body: a POST that creates or starts
 * something, or a PUT or PATCH that changes it. Where the path names the row too, its parameters
 * join the body (the path's win: the body's schema names none of them). A route that does more
 * than run the command and answer its result is declared with `route()` itself.
 */
import type Joi from 'joi';
import type { Command } from '../../domain/command';
import { commandDeps } from './command-deps';
import { route, type NoInput, type RouteDeclaration, type RouteSpec } from './route';
import type { Placement } from './row-route';

/**
 * Runs `command` on the body (and the path's parameters); answers its result under
 * `response.status`, as `view` renders it where given (it may look more up).
 */
export function bodyCommandRoute<B extends object, R, P extends object = object>(
  spec: Placement & {
    method: 'post' | 'put' | 'patch';
    params?: Joi.ObjectSchema<P>;
    body: Joi.ObjectSchema<B>;
    response: RouteDeclaration['response'];
    command: Command<B & P, R>;
    view?: (result: R) => unknown;
  },
): RouteSpec {
  const { command, view, ...declaration } = spec;
  return route<P, NoInput, B>({
    ...declaration,
    handler: async (ctx) => {
      const { params, body } = ctx.state.input;
      const result = await command(ctx.state.user, { ...body, ...params }, commandDeps(ctx));
      ctx.status = declaration.response.status;
      ctx.body = view ? await view(result) : result;
    },
  });
}

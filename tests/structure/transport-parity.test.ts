/**
 * A command reached by both transports has the same rules on both: every GraphQL mutation is
 * derived from an operation (src/api/http/operation.ts), and the REST route of that operation has
 * the same access verb and input schemas. Both sides are read from the real declarations: the built
 * GraphQL schema and the API's route list. A mutation written by hand, or declared with a verb or
 * input of its own, fails here.
 */
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { operationOfField } from '../../src/api/graphql/mutation';
import { schema } from '../../src/api/graphql/schema';
import type { DeclaredOperation, RouteSpec } from '../../src/api/http/route';
import { allRoutes } from '../../src/api/routes';
import { testConfig } from '../support/config';

/** Every way a mutation of `graphql` differs from the REST route of its command, one line each. */
function parityProblems(graphql: GraphQLSchema, routes: RouteSpec[]): string[] {
  const problems: string[] = [];
  const fields = graphql.getMutationType()?.getFields() ?? {};
  for (const [field, definition] of Object.entries(fields)) {
    const declared = operationOfField(definition.extensions);
    if (!declared) {
      problems.push(`mutation ${field} is not derived from an operation`);
      continue;
    }
    const rest = routes.filter((spec) => spec.operation?.name === declared.name);
    if (rest.length !== 1) {
      problems.push(`mutation ${field} (${declared.name}) has ${rest.length} REST routes, not one`);
      continue;
    }
    problems.push(...differences(`mutation ${field} and ${rest[0].method.toUpperCase()} ${rest[0].path}`, declared, rest[0]));
  }
  return problems;
}

/** Who may call it: its access verb; a public route anyone, as its operation's verb `public` says. */
function whoOf(spec: Pick<DeclaredOperation, 'verb'> & Pick<RouteSpec, 'auth'>): string {
  if (spec.auth === 'public') return 'verb public';
  return spec.verb ? `verb ${spec.verb}` : 'any authenticated user';
}

function differences(what: string, declared: DeclaredOperation, route: RouteSpec): string[] {
  const found: string[] = [];
  if (whoOf(declared) !== whoOf(route)) found.push(`${what}: ${whoOf(declared)} ≠ ${whoOf(route)}`);
  if (declared.params !== route.params) found.push(`${what}: another parameters schema`);
  if (declared.body !== route.body) found.push(`${what}: another body schema`);
  return found;
}

describe('GraphQL mutations and REST routes share their rules', () => {
  const routes = allRoutes(testConfig({ databaseUrl: 'postgres://unused@127.0.0.1/unused' }));

  it('every mutation runs the operation of exactly one REST route, with its verb and input schemas', () => {
    const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {});
    expect(mutations.length).toBeGreaterThanOrEqual(10);
    expect(parityProblems(schema, routes)).toEqual([]);
  });

  it('every route derived from an operation has its verb and schemas', () => {
    const derived = routes.filter((spec) => spec.operation);
    expect(derived.length).toBeGreaterThanOrEqual(10);
    for (const spec of derived) expect(differences(`${spec.method} ${spec.path}`, spec.operation!, spec)).toEqual([]);
  });

  describe('the check catches a mutation with rules of its own', () => {
    const fileClaimRoute = routes.find((spec) => spec.method === 'post' && spec.path === '/claims')!;
    const withMutation = (extensions: Record<string, unknown> | undefined) =>
      new GraphQLSchema({
        query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
        mutation: new GraphQLObjectType({ name: 'Mutation', fields: { fileClaim: { type: GraphQLString, extensions } } }),
      });

    it('written by hand', () => {
      expect(parityProblems(withMutation(undefined), routes)).toEqual(['mutation fileClaim is not derived from an operation']);
    });

    it('declared with another verb', () => {
      const wider = { ...fileClaimRoute.operation!, verb: 'viewClaim' };
      expect(parityProblems(withMutation({ operation: wider }), routes)).toEqual([
        'mutation fileClaim and POST /claims: verb viewClaim ≠ verb fileClaim',
      ]);
    });

    it('declared with another input schema', () => {
      const other = {
        ...fileClaimRoute.operation!,
        body: fileClaimRoute.operation!.body!.keys({ extra: fileClaimRoute.operation!.body! }),
      };
      expect(parityProblems(withMutation({ operation: other }), routes)).toEqual([
        'mutation fileClaim and POST /claims: another body schema',
      ]);
    });

    it('without a REST route', () => {
      const orphan = { ...fileClaimRoute.operation!, name: 'claims.fileSecretly' };
      expect(parityProblems(withMutation({ operation: orphan }), routes)).toEqual([
        'mutation fileClaim (claims.fileSecretly) has 0 REST routes, not one',
      ]);
    });
  });
});

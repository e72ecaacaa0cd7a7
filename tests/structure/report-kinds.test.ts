/**
 * Every report kind of the one table (src/domain/reports/kinds.ts) is served alike by both
 * transports: GET /reports/<kind> and the GraphQL field `<kind>Report`, each with the kind's roles;
 * no report is served that the table does not declare; a saved definition may name exactly the
 * tenant's kinds and carry every key they take. Both sides are read from the real declarations:
 * the API's route list and the built GraphQL schema.
 */
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { SAVED_REPORT_KINDS } from '../../src/contracts/scheduled-report';
import { REPORT_KINDS } from '../../src/domain/reports/kinds';
import { rolesOf } from '../../src/access/verbs';
import { schema } from '../../src/api/graphql/schema';
import { reportKindOfField } from '../../src/api/graphql/schema/reports';
import type { RouteSpec } from '../../src/api/http/route';
import { createDefinitionBody } from '../../src/api/reports/definitions/schemas';
import { allRoutes } from '../../src/api/routes';
import { testConfig } from '../support/config';

type Kind = (typeof REPORT_KINDS)[number];

const REPORT_PATH = /^\/reports\/([^/]+)$/;
const roles = (list?: readonly string[]) => (list ? [...list].sort().join(',') : 'any authenticated user');
/** The roles a REST route lets through: its verb's. */
const restRolesOf = (spec: RouteSpec) => (spec.verb ? rolesOf(spec.verb) : undefined);

/** Every way the transports differ from the table of kinds, one line each. */
function kindProblems(graphql: GraphQLSchema, routes: RouteSpec[], kinds: readonly Kind[]): string[] {
  const problems: string[] = [];
  const fields = Object.entries(graphql.getQueryType()?.getFields() ?? {});
  const restReports = routes.filter((spec) => spec.method === 'get' && REPORT_PATH.test(spec.path) && spec.path !== '/reports/definitions');
  for (const kind of kinds) {
    const rest = restReports.filter((spec) => spec.path === `/reports/${kind.name}`);
    if (rest.length !== 1) problems.push(`kind ${kind.name}: ${rest.length} REST routes, not one`);
    else if (roles(restRolesOf(rest[0])) !== roles(kind.roles))
      problems.push(`kind ${kind.name}: REST roles ${roles(restRolesOf(rest[0]))} ≠ ${roles(kind.roles)}`);
    const graph = fields.filter(([, field]) => reportKindOfField(field.extensions)?.name === kind.name);
    if (graph.length !== 1) problems.push(`kind ${kind.name}: ${graph.length} GraphQL fields, not one`);
    else {
      const declared = reportKindOfField(graph[0][1].extensions)!;
      if (roles(declared.roles) !== roles(kind.roles))
        problems.push(`kind ${kind.name}: GraphQL roles ${roles(declared.roles)} ≠ ${roles(kind.roles)}`);
    }
  }
  const names = kinds.map((kind) => kind.name);
  for (const spec of restReports) {
    const name = REPORT_PATH.exec(spec.path)![1];
    if (!names.includes(name)) problems.push(`GET ${spec.path} serves a report the table does not declare`);
  }
  for (const [name, field] of fields) {
    if (name.endsWith('Report') && !reportKindOfField(field.extensions)) problems.push(`query ${name} is not derived from a report kind`);
  }
  return problems;
}

describe('report kinds: one table serves REST, GraphQL and saved reports', () => {
  const routes = allRoutes(testConfig({ databaseUrl: 'postgres://unused@127.0.0.1/unused' }));

  it('every kind has one REST route and one GraphQL field with its roles, and nothing else serves a report', () => {
    expect(REPORT_KINDS.map((kind) => kind.name)).toEqual(['claims', 'policies', 'compliance', 'premiums', 'finance', 'platform']);
    expect(kindProblems(schema, routes, REPORT_KINDS)).toEqual([]);
  });

  it('a definition may name exactly the tenant kinds, and carry every key they take', () => {
    expect(REPORT_KINDS.filter((kind) => kind.saved).map((kind) => kind.name)).toEqual([...SAVED_REPORT_KINDS]);
    const described = createDefinitionBody.describe() as {
      keys: { kind: { allow: string[] }; parameters: { keys: Record<string, unknown> } };
    };
    expect(described.keys.kind.allow).toEqual([...SAVED_REPORT_KINDS]);
    const taken = REPORT_KINDS.flatMap((kind) => Object.keys(kind.keys ?? {}));
    expect(Object.keys(described.keys.parameters.keys)).toEqual(expect.arrayContaining(taken));
  });

  describe('the check catches a transport that serves a kind otherwise', () => {
    const claims = REPORT_KINDS.find((kind) => kind.name === 'claims')!;
    const withField = (name: string, extensions: Record<string, unknown> | undefined) =>
      new GraphQLSchema({
        query: new GraphQLObjectType({ name: 'Query', fields: { [name]: { type: GraphQLString, extensions } } }),
      });
    const reportRoutes = routes.filter((spec) => spec.path === '/reports/claims');

    it('a field written by hand', () => {
      expect(kindProblems(withField('claimsReport', undefined), reportRoutes, [claims])).toEqual([
        'kind claims: 0 GraphQL fields, not one',
        'query claimsReport is not derived from a report kind',
      ]);
    });

    it('a field with other roles', () => {
      const wider = { reportKind: { name: 'claims', roles: ['claims_manager', 'tenant_admin', 'adjuster'] } };
      expect(kindProblems(withField('claimsReport', wider), reportRoutes, [claims])).toEqual([
        'kind claims: GraphQL roles adjuster,claims_manager,tenant_admin ≠ claims_manager,tenant_admin',
      ]);
    });

    it('a kind REST does not serve, and a REST report the table does not declare', () => {
      const field = withField('claimsReport', { reportKind: { name: 'claims', roles: claims.roles } });
      const renamed = reportRoutes.map((spec) => ({ ...spec, path: '/reports/claims-secret' }));
      expect(kindProblems(field, renamed, [claims])).toEqual([
        'kind claims: 0 REST routes, not one',
        'GET /reports/claims-secret serves a report the table does not declare',
      ]);
    });

    it('a REST route with another verb', () => {
      const field = withField('claimsReport', { reportKind: { name: 'claims', roles: claims.roles } });
      const other = reportRoutes.map((spec) => ({ ...spec, verb: 'listClaims' as const }));
      expect(kindProblems(field, other, [claims])).toEqual([
        `kind claims: REST roles ${roles(rolesOf('listClaims'))} ≠ claims_manager,tenant_admin`,
      ]);
    });
  });
});

/**
 * Requests to a test stack's API as a user, over GraphQL and over REST, for the tests that hold
 * GraphQL's answer beside the REST route it mirrors.
 */
import type { User } from '../../src/models';
import { bearer } from './factories';
import type { TestStack } from './stack';

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** `stackOf` is read at each request (the stack is started in a `beforeAll`); `headers` go with every GraphQL request. */
export function apiClient(stackOf: () => TestStack, headers: Record<string, string> = {}) {
  const as = (user: User) => ({ Authorization: bearer(stackOf().config, user) });

  /** The GraphQL answer as the client reads it (graphql-response+json: 4xx before execution). */
  async function graphql(query: string, variables: Record<string, unknown>, user: User): Promise<GraphQLAnswer> {
    const res = await stackOf()
      .api.post('/api/graphql')
      .set('Accept', 'application/graphql-response+json')
      .set({ ...headers, ...as(user) })
      .send({ query, variables });
    return JSON.parse(res.text) as GraphQLAnswer;
  }

  /** The query's data, failing with the errors when there are any. */
  async function data<T>(query: string, variables: Record<string, unknown>, user: User): Promise<T> {
    const answer = await graphql(query, variables, user);
    expect(answer.errors).toBeUndefined();
    return answer.data as T;
  }

  /** The body of GET /api/v1`path`, failing unless it answers `status`. */
  async function rest(path: string, user: User, status = 200) {
    const res = await stackOf().api.get(`/api/v1${path}`).set(as(user));
    expect(res.status).toBe(status);
    return res.body;
  }

  return { as, graphql, data, rest };
}

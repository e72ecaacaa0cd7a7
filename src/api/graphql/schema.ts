/** The GraphQL schema: every resource's module adds its types and fields to the builder. */
import { builder } from './builder';
import './schema/people';
import './schema/subscriptions';
import './schema/claims';

export const schema = builder.toSchema();

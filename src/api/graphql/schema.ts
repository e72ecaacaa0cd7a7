/** The GraphQL schema: every resource's module adds its types and fields to the builder. */
import { builder } from './builder';
import './schema/people';
import './schema/catalog';
import './schema/rating';
import './schema/subscriptions';
import './schema/quotes';
import './schema/quote-referrals';
import './schema/premiums';
import './schema/claims';
import './schema/compliance';
import './schema/compliance-policies';
import './schema/requirements';
import './schema/onboarding';
import './schema/reports';
import './schema/ledger';
import './schema/audit';

export const schema = builder.toSchema();

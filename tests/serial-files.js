/**
 * The test files that run one at a time, after the others (scripts/test.sh): every other file
 * shares the machine with two more (jest.parallel.config.js). Each group says why it cannot share.
 */
module.exports = [
  // The time-skipping server is a JVM per file: two starting beside each other on 2 cores made
  // timer tests miss their bounds.
  'harness/time-skipping',
  'compliance/acknowledgement-deadlines',
  'compliance/recurrence-api',
  'compliance/recurrence',
  'compliance/audience-exemption',
  'compliance/policy-approval-workflow',
  'quotes/referral-workflow',
  'compliance/compliance-api',
  'claims/claim-workflow',
  'claims/claims-after-policy-change',
  'webhooks/retry-schedule',
  'onboarding/onboarding-workflow',
  'onboarding/suspended-tenant-runs',
  'subscriptions/premium-timeline',
  'subscriptions/subscription-workflow',
  'subscriptions/changes/policy-change-run',
  'subscriptions/changes/not-applied-api',
  'calendars/business-deadlines',
  // They stall, stop or flood a dependency and bound how fast the API answers meanwhile.
  'faults/dependency-outages',
  'faults/postgres-stall',
  'faults/silent-mail-server',
  'faults/temporal-down',
  'faults/payment-provider-frozen',
  // They bound CPU time or compare response times, which another file's load would skew.
  'graphql/query-bounds',
  'observability/log-destination',
  'security/login-starvation',
  'security/account-enumeration',
  'security/redos',
  'security/login-throttle',
  'security/worker-process-guard',
  // Whole browsers, Keycloak's JVM or the whole stack started as a user would.
  'api/pages/pages-browser',
  'graphql/graphiql-browser',
  'identity/sso',
  'deployment/start-command',
  // The start command's whole stack of its own (PostgreSQL, the Temporal dev server, MailDev,
  // stripe-mock, the built worker and API) beside the run's servers.
  'deployment/newcomer-path',
];

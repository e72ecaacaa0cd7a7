/**
 * The one table of report kinds (docs/reports.md). Each kind says here, once, its name, what it
 * takes (the keys of GET /reports/<kind>'s query, of its GraphQL field's arguments and of a saved
 * definition's `parameters`), who may run it, how its JSON document and its CSV tables are
 * computed and the columns of each table. REST (src/api/reports/routes.ts), GraphQL
 * (src/api/graphql/schema/reports.ts), saved reports (saved.ts) and the scheduled delivery all
 * derive from it; tests/structure/report-kinds.test.ts fails for a kind one of them lacks.
 *
 * Who may run a kind is its access verb (src/access/verbs/reports.ts), which the access rules of
 * saved definitions and a definition's owner check read too.
 */
import type Joi from 'joi';
import type { Order, Sequelize, WhereOptions } from 'sequelize';
import { rolesOf, type Verb } from '../../access/verbs';
import { REPORT_KIND_VERBS } from '../../access/verbs/reports';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { Tenant } from '../../models';
import { fieldDetails, unprocessable } from '../../shared/errors';
import type { Role } from '../../shared/roles';
import type { KeySchemas } from '../../shared/typed-schema';
import {
  buildClaimsReport,
  buildComplianceReport,
  buildFinanceReport,
  buildPoliciesReport,
  buildPremiumsReport,
  columns,
  inBatches,
  type ClaimsReportParameters,
  type FinanceReportParameters,
  type PoliciesReportParameters,
  type PremiumsReportParameters,
  type ReportTable,
} from './build';
import { claimCosts, claimGroups, slaBreaches, stageTimes } from './claims-queries';
import { complianceReport } from './compliance-queries';
import { financeGroups } from './finance-queries';
import {
  claimsReportKeys,
  claimsReportParameters,
  complianceReportKeys,
  complianceReportParameters,
  financeReportKeys,
  financeReportParameters,
  policiesReportKeys,
  policiesReportParameters,
  premiumsReportKeys,
  premiumsReportParameters,
} from './parameters';
import { periodOf, periodView, type Period } from './period';
import { tenantFigures } from './platform-queries';
import { cancellationsByReason, expiringPolicies, policyGroups } from './policies-queries';
import { overdueInvoices, premiumGroups } from './premiums-queries';
import { utcDay } from '../../shared/time';

type Rows = AsyncIterable<object> | Iterable<object>;

/** One table of a kind for a CSV: its columns and how its rows are read. */
interface CsvSection<P> {
  columns: readonly string[];
  rows: (sequelize: Sequelize, tenantId: string, parameters: P, now: Date) => Rows | Promise<Rows>;
  /**
   * Whether its rows, as the parameters ask for them, name persons (policyholders by name and
   * e-mail, staff by name with their own figures): such a table goes to staff only
   * (docs/reports.md, Who receives a report). Absent: its rows are figures and counts.
   */
  namesPersons?: (parameters: P) => boolean;
}

/** A table one row per person. */
const perPerson = () => true;

/** A tenant's report kind as declared in the table below. */
interface KindDeclaration<P extends object, S extends string> {
  name: SavedReportKind;
  /** The keys it takes, besides the output format. */
  keys: KeySchemas;
  parameters: Joi.ObjectSchema<P>;
  /** The JSON document (GET /reports/<kind>, a saved definition's run). */
  json: (sequelize: Sequelize, tenantId: string, parameters: P, now: Date) => Promise<object>;
  /** Its CSV tables, and which one the parameters ask for. */
  csv: Record<S, CsvSection<P>>;
  sectionOf: (parameters: P) => S;
  fileName: (section: S, parameters: P, now: Date) => string;
}

/** A tenant's report kind as the transports and saved reports use it. */
export interface ReportKind<P extends object = object> {
  name: SavedReportKind;
  /** Who may run it (and see, save and own a definition of it). */
  verb: Verb;
  keys: KeySchemas;
  parameters: Joi.ObjectSchema<P>;
  /**
   * The parameters as the report reads them (defaults filled in, days as dates). Parameters it
   * refuses are 422: the request is well-formed, but they do not fit this kind. A period it
   * refuses (period.ts) is 422 too.
   */
  read: (parameters: unknown) => P;
  /**
   * Whether the CSV table a saved definition of these parameters sends names persons. Parameters
   * it cannot read are taken to (the table then goes to staff only).
   */
  namesPersons: (parameters: unknown) => boolean;
  json: (sequelize: Sequelize, tenantId: string, parameters: unknown, now: Date) => Promise<object>;
  table: (sequelize: Sequelize, tenantId: string, parameters: unknown, now: Date) => Promise<ReportTable>;
}

function reportKind<P extends object, S extends string>(kind: KindDeclaration<P, S>): ReportKind<P> {
  const read = (parameters: unknown): P => {
    const { value, error } = kind.parameters.validate(parameters, { abortEarly: false });
    if (error) throw unprocessable('The parameters do not fit the report of this kind', fieldDetails(error, 'parameters'));
    return value;
  };
  return {
    name: kind.name,
    verb: REPORT_KIND_VERBS[kind.name],
    keys: kind.keys,
    parameters: kind.parameters,
    read,
    namesPersons: (raw) => {
      const { value: parameters, error } = kind.parameters.validate(raw);
      return error !== undefined || (kind.csv[kind.sectionOf(parameters)].namesPersons?.(parameters) ?? false);
    },
    json: (sequelize, tenantId, parameters, now) => kind.json(sequelize, tenantId, read(parameters), now),
    table: async (sequelize, tenantId, raw, now) => {
      const parameters = read(raw);
      const section = kind.sectionOf(parameters);
      const { columns: keys, rows } = kind.csv[section];
      return {
        fileName: kind.fileName(section, parameters, now),
        columns: columns(...keys),
        rows: await rows(sequelize, tenantId, parameters, now),
      };
    },
  };
}

/**
 * A report of a period: the parameters name the CSV section, and its file is
 * `<kind>-report-<section>-<from>-<to>.csv`.
 */
function periodReportKind<P extends { section: S; from?: Date; to?: Date }, S extends string>(
  kind: Omit<KindDeclaration<P, S>, 'sectionOf' | 'fileName'>,
): ReportKind<P> {
  return reportKind<P, S>({
    ...kind,
    sectionOf: (parameters) => parameters.section,
    fileName: (section, parameters, now) => {
      const { from, to } = periodView(periodOf(parameters, now));
      return `${kind.name}-report-${section}-${from}-${to}.csv`;
    },
  });
}

/** A CSV table of what a query finds over the report's period. */
function periodTable<P extends { from?: Date; to?: Date }>(
  columns: readonly string[],
  query: (sequelize: Sequelize, tenantId: string, period: Period) => Promise<object[]>,
): CsvSection<P> {
  return { columns, rows: (sequelize, tenantId, parameters, now) => query(sequelize, tenantId, periodOf(parameters, now)) };
}

/** A CSV table of a list, read page by page. */
function listTable<P>(
  columns: readonly string[],
  page: (sequelize: Sequelize, tenantId: string, limit: number, offset: number, now: Date) => Promise<object[]>,
): CsvSection<P> {
  return {
    columns,
    rows: (sequelize, tenantId, _parameters, now) => inBatches((limit, offset) => page(sequelize, tenantId, limit, offset, now)),
  };
}

/** The groups of a report of a period as a CSV table: one row per group, its key and label before its figures. */
function groupsTable<G, P extends { groupBy: G; from?: Date; to?: Date }>(
  figures: readonly string[],
  groupsOf: (sequelize: Sequelize, tenantId: string, period: Period, groupBy: G, now: Date) => Promise<{ groups: object[] }>,
): CsvSection<P> {
  return {
    columns: ['key', 'label', ...figures],
    rows: async (sequelize, tenantId, parameters, now) =>
      (await groupsOf(sequelize, tenantId, periodOf(parameters, now), parameters.groupBy, now)).groups,
  };
}

const claims = periodReportKind<ClaimsReportParameters, ClaimsReportParameters['section']>({
  name: 'claims',
  keys: claimsReportKeys,
  parameters: claimsReportParameters,
  json: (sequelize, tenantId, parameters) => buildClaimsReport(sequelize, tenantId, parameters),
  csv: {
    groups: {
      ...groupsTable<ClaimsReportParameters['groupBy'], ClaimsReportParameters>(
        ['filed', 'approved', 'denied', 'paid', 'denialRate', 'amountClaimed', 'amountApproved', 'amountPaid', 'currency'],
        claimGroups,
      ),
      // By assignee, a row is one member of staff by name with their own claims' figures: their work, appraised.
      namesPersons: ({ groupBy }) => groupBy === 'assignee',
    },
    slaBreaches: listTable(['claimNumber', 'stage', 'dueAt', 'dueAtLocal', 'overdueHours'], slaBreaches),
    stageTimes: periodTable(['stage', 'stays', 'meanHours', 'p50Hours', 'p90Hours'], stageTimes),
    costs: periodTable(['planId', 'plan', 'currency', 'costType', 'claims', 'outstanding', 'paid', 'recovered', 'incurred'], claimCosts),
  },
});

const policies = periodReportKind<PoliciesReportParameters, PoliciesReportParameters['section']>({
  name: 'policies',
  keys: policiesReportKeys,
  parameters: policiesReportParameters,
  json: (sequelize, tenantId, parameters, now) => buildPoliciesReport(sequelize, tenantId, parameters, now),
  csv: {
    groups: groupsTable(
      ['written', 'activated', 'cancelled', 'expired', 'renewed', 'writtenPremium', 'renewedPremium', 'currency'],
      policyGroups,
    ),
    expiring: {
      ...listTable(['subscriptionId', 'policyholder', 'email', 'plan', 'endDate', 'premium'], expiringPolicies),
      namesPersons: perPerson,
    },
    cancellations: periodTable(['reason', 'count'], cancellationsByReason),
  },
});

const premiums = periodReportKind<PremiumsReportParameters, PremiumsReportParameters['section']>({
  name: 'premiums',
  keys: premiumsReportKeys,
  parameters: premiumsReportParameters,
  json: (sequelize, tenantId, parameters, now) => buildPremiumsReport(sequelize, tenantId, parameters, now),
  csv: {
    groups: groupsTable(['currency', 'billed', 'collected', 'refunded', 'outstanding', 'overdue'], premiumGroups),
    overdue: {
      ...listTable(['number', 'policyNumber', 'policyholder', 'email', 'dueDate', 'daysOverdue', 'currency', 'owed'], overdueInvoices),
      namesPersons: perPerson,
    },
  },
});

/** The insurer's figures, read from the journal (docs/ledger.md, The insurer's figures). */
const finance = periodReportKind<FinanceReportParameters, FinanceReportParameters['section']>({
  name: 'finance',
  keys: financeReportKeys,
  parameters: financeReportParameters,
  json: (sequelize, tenantId, parameters, now) => buildFinanceReport(sequelize, tenantId, parameters, now),
  csv: {
    groups: groupsTable(['currency', 'written', 'earned', 'unearned', 'paid', 'incurred', 'recoveries', 'lossRatio'], financeGroups),
  },
});

/** The compliance report is as of now: it takes nothing, and its CSV has one row per requirement and policy. */
const compliance = reportKind<object, 'requirements'>({
  name: 'compliance',
  keys: complianceReportKeys,
  parameters: complianceReportParameters,
  json: (sequelize, tenantId, _parameters, now) => buildComplianceReport(sequelize, tenantId, now),
  csv: {
    requirements: {
      columns: [
        'requirement',
        'frameworkRef',
        'dueAt',
        'status',
        'policy',
        'versionNumber',
        'audience',
        'acknowledged',
        'pending',
        'overdue',
        'exempt',
        'percent',
        'level1',
        'level2',
      ],
      rows: async (sequelize, tenantId, _parameters, now) =>
        (await complianceReport(sequelize, tenantId, now)).flatMap(({ policies, overall: _overall, ...requirement }) =>
          policies.map(({ escalations, ...policy }) => ({
            ...requirement,
            ...policy,
            ...escalations,
            policy: policy.title,
            requirement: requirement.title,
          })),
        ),
    },
  },
  sectionOf: () => 'requirements',
  fileName: (_section, _parameters, now) => `compliance-report-${utcDay(now)}.csv`,
});

/** The reports of a tenant, by kind: the kinds a definition may save. */
export const TENANT_REPORT_KINDS = { claims, policies, compliance, premiums, finance } satisfies Record<SavedReportKind, ReportKind>;

/**
 * The platform report (platform admins) belongs to no tenant: its tenants are a page of a list, so
 * its paging is each transport's (REST's page and ordering, GraphQL's connection); its CSV has
 * every tenant the caller sees, in the order asked.
 */
export const PLATFORM_REPORT = {
  name: 'platform',
  verb: 'runPlatformReport' as Verb,
  table: (sequelize: Sequelize, scope: WhereOptions, order: Order, now: Date): ReportTable => ({
    fileName: `platform-report-${utcDay(now)}.csv`,
    columns: columns('tenant', 'slug', 'users', 'activePolicies', 'openClaims', 'slaBreaches', 'total', 'on_track', 'at_risk', 'breached'),
    rows: inBatches(async (limit, offset) => {
      const tenants = await Tenant.findAll({ where: scope, order, limit, offset });
      const figures = await tenantFigures(sequelize, tenants);
      return figures.map(({ tenant, requirements, ...counts }) => ({ tenant: tenant.name, slug: tenant.slug, ...counts, ...requirements }));
    }),
  }),
} as const;

/** Every kind, by name, with who may run it (its verb's roles): what each transport must serve, with these roles. */
export const REPORT_KINDS: readonly { name: string; roles: readonly Role[]; saved: boolean; keys?: KeySchemas }[] = [
  ...Object.values(TENANT_REPORT_KINDS).map(({ name, verb, keys }) => ({ name, roles: rolesOf(verb), keys, saved: true })),
  { name: PLATFORM_REPORT.name, roles: rolesOf(PLATFORM_REPORT.verb), saved: false },
];

/**
 * GraphQL's compliance, onboarding and report queries against the real API and PostgreSQL, each
 * beside the REST route it mirrors: the same rows and figures (the same SQL functions), and REST's
 * authorization cases run through GraphQL (another tenant's row null or absent where REST answers
 * 404, a role REST refuses with 403 FORBIDDEN), with relations read in a fixed number of statements.
 */
import crypto from 'node:crypto';
import type { AcknowledgementStatus } from '../../src/contracts/acknowledgement';
import { PolicyVersion, Registration, type CompliancePolicy, type Tenant, type User } from '../../src/models';
import { DAY_MS } from '../../src/shared/time';
import {
  buildAcknowledgements,
  buildClaim,
  buildCompliancePolicy,
  buildPlan,
  buildPolicyVersion,
  buildSubscription,
  buildTenant,
  buildUser,
  buildUsers,
  TEST_PASSWORD_HASH,
} from '../support/factories';
import { apiClient } from '../support/graphql';
import { buildQuote } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';

describe('GraphQL beside REST: compliance, tenants, registrations and reports (real API and PostgreSQL)', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let other: Tenant;
  let officer: User;
  let admin: User;
  let manager: User;
  let adjuster: User;
  let holder: User;
  let platformAdmin: User;
  let otherOfficer: User;
  let otherAdmin: User;
  let gifts: CompliancePolicy;
  let giftsV2: PolicyVersion;
  let otherPolicy: CompliancePolicy;
  let otherVersion: PolicyVersion;
  let requirementIds: string[];
  let otherRequirementId: string;
  let registrationId: string;

  const { as, graphql, data, rest } = apiClient(() => stack);

  /** A published version whose acknowledgements have exactly these statuses, one employee each. */
  async function publishWithStatuses(policy: CompliancePolicy, statuses: AcknowledgementStatus[]): Promise<PolicyVersion> {
    const version = await buildPolicyVersion({ policyId: policy.id, status: 'published' });
    const employees = await buildUsers(statuses.length, policy.tenantId, () => ({ role: 'adjuster' }));
    const rows = await buildAcknowledgements(version, employees);
    for (const [i, row] of rows.entries()) await row.update({ status: statuses[i] });
    return version;
  }

  async function createRequirement(by: User, body: object): Promise<string> {
    const res = await stack.api.post('/api/v1/compliance/requirements').set(as(by)).send(body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  beforeAll(async () => {
    tenant = await buildTenant({ name: 'Acme Insurance' });
    other = await buildTenant({ name: 'Other Mutual' });
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    platformAdmin = await buildUser({ role: 'platform_admin' });
    otherOfficer = await buildUser({ tenantId: other.id, role: 'compliance_officer' });
    otherAdmin = await buildUser({ tenantId: other.id, role: 'tenant_admin' });

    gifts = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Gifts and hospitality' });
    const v1 = await publishWithStatuses(gifts, ['superseded', 'acknowledged']);
    await v1.update({ status: 'retired', retiredAt: new Date() });
    giftsV2 = await publishWithStatuses(gifts, ['acknowledged', 'acknowledged', 'acknowledged', 'pending', 'overdue', 'exempt']);
    const privacy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Privacy' });
    await publishWithStatuses(privacy, ['acknowledged', 'pending']);
    await buildPolicyVersion({ policyId: privacy.id });
    otherPolicy = await buildCompliancePolicy({ tenantId: other.id, createdById: otherOfficer.id, title: 'Elsewhere' });
    otherVersion = await publishWithStatuses(otherPolicy, ['pending']);

    const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
    requirementIds = [
      await createRequirement(officer, {
        title: 'Gifts',
        frameworkRef: 'ISO 37001 8.7',
        ownerId: manager.id,
        dueAt: inDays(30),
        policyIds: [gifts.id],
      }),
      await createRequirement(officer, {
        title: 'Privacy',
        frameworkRef: 'GDPR 39',
        ownerId: officer.id,
        dueAt: inDays(3),
        policyIds: [gifts.id, privacy.id],
      }),
    ];
    otherRequirementId = await createRequirement(otherOfficer, {
      title: 'Elsewhere',
      frameworkRef: 'ISO 27001 A.5.1',
      ownerId: otherOfficer.id,
      dueAt: inDays(10),
      policyIds: [otherPolicy.id],
    });

    // Claims and policies for the reports: a few stages, one approved by the manager.
    const subscription = await buildSubscription({ tenantId: tenant.id, policyholderId: holder.id, status: 'active' });
    await buildClaim({ subscriptionId: subscription.id, amountClaimed: '250.00' });
    await buildClaim({ subscriptionId: subscription.id, status: 'under_review', assigneeId: adjuster.id, amountClaimed: '900.00' });
    await buildClaim({ subscriptionId: (await buildSubscription({ tenantId: other.id })).id });

    registrationId = crypto.randomUUID();
    await Registration.create({
      id: registrationId,
      companyName: 'Southwind Assurance',
      businessType: 'insurer',
      phone: '+44 20 7946 0000',
      contactEmail: 'contact@southwind.example',
      address: '1 Harbour Street',
      requestedSlug: 'southwind',
      adminEmail: 'admin@southwind.example',
      adminFullName: 'Sam South',
      adminPasswordHash: TEST_PASSWORD_HASH,
      workflowId: `onboarding-${registrationId}`,
    });
  });

  /** REST refuses with `status`; GraphQL refuses the same field with `code` and answers no data for it. */
  async function refusedAlike(path: string, query: string, variables: Record<string, unknown>, user: User, status: number, code: string) {
    await rest(path, user, status);
    const answer = await graphql(query, variables, user);
    expect(answer.errors?.[0].extensions).toMatchObject({ code });
  }

  /** The SQL statements the API runs while answering `run`. */
  async function statementsOf<T>(run: () => Promise<T>): Promise<{ result: T; count: number }> {
    let count = 0;
    const hook = 'count-parity-statements';
    stack.db.sequelize.addHook('beforeQuery', hook, () => {
      count += 1;
    });
    try {
      return { result: await run(), count };
    } finally {
      stack.db.sequelize.removeHook('beforeQuery', hook);
    }
  }

  describe('compliance policies and versions', () => {
    const POLICIES = `{ compliancePolicies(ordering: "title") { totalCount nodes { id title versions { id versionNumber status } } } }`;
    const REPORT = `query($id: ID!, $status: AcknowledgementStatus, $first: Int, $after: String) {
      policyVersion(id: $id) { id versionNumber contentSha256 report(status: $status, first: $first, after: $after) {
        counts { total pending acknowledged overdue escalated superseded exempt }
        rows { totalCount pageInfo { hasNextPage endCursor } nodes { acknowledgementId status employee { id } employeeEmail evidence { typedName } } }
      } } }`;

    it("lists the tenant's policies with their versions newest first, as REST, without another tenant's", async () => {
      const { compliancePolicies } = await data<{
        compliancePolicies: { totalCount: number; nodes: { id: string; title: string; versions: { id: string }[] }[] };
      }>(POLICIES, {}, officer);
      const listed = await rest('/compliance/policies?ordering=title', officer);
      expect(compliancePolicies.nodes.map((p) => p.id)).toEqual(listed.items.map((p: { id: string }) => p.id));
      expect(compliancePolicies.totalCount).toBe(listed.pagination.total);
      expect(compliancePolicies.nodes.map((p) => p.id)).not.toContain(otherPolicy.id);
      for (const policy of compliancePolicies.nodes) {
        const one = await rest(`/compliance/policies/${policy.id}`, officer);
        expect(policy.versions.map((v) => v.id)).toEqual(one.versions.map((v: { id: string }) => v.id));
      }
    });

    it("answers a version's report as REST counts and lists it, filtered and paged", async () => {
      const restReport = await rest(`/compliance/versions/${giftsV2.id}/report`, officer);
      const { policyVersion } = await data<{
        policyVersion: {
          report: {
            counts: Record<string, number>;
            rows: { totalCount: number; nodes: { acknowledgementId: string; status: string; employeeEmail: string | null }[] };
          };
        };
      }>(REPORT, { id: giftsV2.id }, officer);
      expect(policyVersion.report.counts).toEqual(restReport.counts);
      expect(policyVersion.report.counts).toMatchObject({ total: 6, acknowledged: 3, pending: 1, overdue: 1, exempt: 1 });
      expect(policyVersion.report.rows.nodes.map((r) => r.acknowledgementId)).toEqual(
        restReport.items.map((r: { acknowledgementId: string }) => r.acknowledgementId),
      );
      expect(policyVersion.report.rows.nodes.map((r) => r.employeeEmail)).toEqual(
        restReport.items.map((r: { employee: { email: string } }) => r.employee.email),
      );

      const acknowledged = await data<{ policyVersion: { report: { rows: { totalCount: number; nodes: { status: string }[] } } } }>(
        REPORT,
        { id: giftsV2.id, status: 'acknowledged', first: 2 },
        officer,
      );
      expect(acknowledged.policyVersion.report.rows.totalCount).toBe(3);
      expect(acknowledged.policyVersion.report.rows.nodes.map((r) => r.status)).toEqual(['acknowledged', 'acknowledged']);
    });

    it("answers another tenant's policy and version as null where REST answers 404", async () => {
      await rest(`/compliance/policies/${otherPolicy.id}`, officer, 404);
      await rest(`/compliance/versions/${otherVersion.id}/report`, officer, 404);
      const answer = await data<{ compliancePolicy: unknown; policyVersion: unknown }>(
        `query($p: ID!, $v: ID!) { compliancePolicy(id: $p) { id } policyVersion(id: $v) { id } }`,
        { p: otherPolicy.id, v: otherVersion.id },
        officer,
      );
      expect(answer).toEqual({ compliancePolicy: null, policyVersion: null });
    });

    it('refuses the roles REST refuses (FORBIDDEN), also through an employee’s own acknowledgement', async () => {
      await refusedAlike('/compliance/policies', POLICIES, {}, adjuster, 403, 'FORBIDDEN');
      await refusedAlike(`/compliance/versions/${giftsV2.id}/report`, REPORT, { id: giftsV2.id }, manager, 403, 'FORBIDDEN');
      // An employee reads the version they acknowledge, but not its report nor the policy's other versions.
      const employee = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
      await buildAcknowledgements(giftsV2, [employee]);
      const refusedTo = async (query: string) =>
        (await graphql(query, {}, employee)).errors?.map((e) => [e.path?.slice(-1)[0], e.extensions?.code]);
      expect(await refusedTo('{ acknowledgements { nodes { version { versionNumber report { counts { total } } } } } }')).toEqual([
        ['report', 'FORBIDDEN'],
      ]);
      expect(await refusedTo('{ acknowledgements { nodes { version { policy { title versions { id } } } } } }')).toEqual([
        ['versions', 'FORBIDDEN'],
      ]);
      const readable = await data<{ acknowledgements: { nodes: { version: { versionNumber: number; policy: { title: string } } }[] } }>(
        '{ acknowledgements { nodes { version { versionNumber policy { title } } } } }',
        {},
        employee,
      );
      expect(readable.acknowledgements.nodes).toEqual([{ version: { versionNumber: 2, policy: { title: 'Gifts and hospitality' } } }]);
    });

    it("shows an employee of a version and its policy only what REST's acknowledgement shows: review notes, audience and dates are FORBIDDEN", async () => {
      const conflicts = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Conflicts of interest' });
      const content = 'Declare every outside interest.';
      const reviewed = {
        content,
        contentSha256: PolicyVersion.hashContent(content),
        deadlineDays: 14,
        audienceRoles: ['adjuster' as const],
        submittedAt: new Date(Date.now() - 3 * DAY_MS),
        reviewDueAt: new Date(Date.now() + 4 * DAY_MS),
        reviewedAt: new Date(Date.now() - DAY_MS),
        reviewNote: 'Rejected once: the gifts threshold was missing',
      };
      const version = await buildPolicyVersion({ policyId: conflicts.id, status: 'published', ...reviewed });
      const employee = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
      await buildAcknowledgements(version, [employee]);

      // REST: the employee's acknowledgement shows the version's id, number, text and hash and the
      // policy's id and title; the compliance routes that show the rest refuse them.
      const [restAck] = (await rest('/acknowledgements', employee)).items;
      expect(Object.keys(restAck.version).sort()).toEqual(['content', 'contentSha256', 'id', 'versionNumber']);
      expect(Object.keys(restAck.policy).sort()).toEqual(['id', 'title']);
      await rest(`/compliance/policies/${conflicts.id}`, employee, 403);
      await rest(`/compliance/policies/${conflicts.id}/versions`, employee, 403);

      const HIDDEN = [
        'status',
        'deadlineDays',
        'audienceRoles',
        'reviewNote',
        'publishedAt',
        'dueAt',
        'submittedAt',
        'reviewDueAt',
        'reviewedAt',
        'retiredAt',
        'createdAt',
      ];
      const query = `{ acknowledgements { nodes { version { id versionNumber content contentSha256 ${HIDDEN.join(' ')}
        policy { id title description createdAt } } } } }`;
      const answer = await graphql(query, {}, employee);
      const nodes = (answer.data as { acknowledgements: { nodes: { version: Record<string, unknown> }[] } }).acknowledgements.nodes;
      expect(nodes).toEqual([
        {
          version: {
            ...restAck.version,
            ...Object.fromEntries(HIDDEN.map((field) => [field, null])),
            policy: { ...restAck.policy, description: null, createdAt: null },
          },
        },
      ]);
      expect(answer.errors?.map((e) => [e.path?.slice(-1)[0], e.extensions?.code]).sort()).toEqual(
        [...HIDDEN, 'description', 'createdAt'].map((field) => [field, 'FORBIDDEN']).sort(),
      );

      // The compliance roles read them, as REST shows them.
      const restVersion = (await rest(`/compliance/policies/${conflicts.id}`, officer)).versions[0];
      const { policyVersion } = await data<{ policyVersion: Record<string, unknown> }>(
        'query($id: ID!) { policyVersion(id: $id) { reviewNote audienceRoles reviewDueAt reviewedAt submittedAt deadlineDays } }',
        { id: version.id },
        officer,
      );
      expect(policyVersion).toEqual({
        reviewNote: restVersion.reviewNote,
        audienceRoles: restVersion.audienceRoles,
        reviewDueAt: restVersion.reviewDueAt,
        reviewedAt: restVersion.reviewedAt,
        submittedAt: restVersion.submittedAt,
        deadlineDays: restVersion.deadlineDays,
      });
      expect(policyVersion.reviewNote).toBe(reviewed.reviewNote);
    });

    it('refuses a status REST does not know and a forged cursor (BAD_USER_INPUT)', async () => {
      const answer = await graphql(REPORT, { id: giftsV2.id, after: 'bm90LWEtY3Vyc29y' }, officer);
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      const unknown = await graphql(POLICIES.replace('"title"', '"createdById"'), {}, officer);
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });

  describe('compliance requirements', () => {
    const REQUIREMENTS = `{ complianceRequirements { totalCount nodes { id title status complete owner { id } policies { id title }
      overall { audience acknowledged pending overdue exempt percent }
      progress { policyId title versionId versionNumber audience acknowledged pending overdue exempt percent } } } }`;

    it('lists the requirements with status and progress as REST counts them, in a fixed number of statements', async () => {
      const listed = await rest('/compliance/requirements', officer);
      const { result, count } = await statementsOf(() =>
        data<{
          complianceRequirements: {
            nodes: { id: string; status: string; overall: { percent: number }; policies: { id: string }[]; progress: unknown[] }[];
          };
        }>(REQUIREMENTS, {}, officer),
      );
      const nodes = result.complianceRequirements.nodes;
      expect(nodes.map((r) => r.id)).toEqual(listed.items.map((r: { id: string }) => r.id));
      expect(nodes.map((r) => [r.status, r.overall.percent])).toEqual(
        listed.items.map((r: { status: string; percent: number }) => [r.status, r.percent]),
      );
      expect(nodes.map((r) => r.policies.map((p) => p.id).sort())).toEqual(
        listed.items.map((r: { policyIds: string[] }) => [...r.policyIds].sort()),
      );
      for (const node of nodes) {
        const progress = await rest(`/compliance/requirements/${node.id}/progress`, officer);
        expect(node).toMatchObject({
          status: progress.status,
          complete: progress.complete,
          overall: progress.overall,
          progress: progress.policies,
        });
      }
      // Progress, linked policies and owners: one statement each for the page, not one per requirement.
      requirementIds.push(
        await createRequirement(officer, {
          title: 'Third',
          frameworkRef: 'SOX 404',
          ownerId: admin.id,
          dueAt: new Date(Date.now() + 60 * DAY_MS).toISOString(),
          policyIds: [gifts.id],
        }),
      );
      const { count: withThree } = await statementsOf(() => data(REQUIREMENTS, {}, officer));
      expect(withThree).toBe(count);
    });

    it("answers another tenant's requirement as null, and refuses other roles (FORBIDDEN)", async () => {
      await rest(`/compliance/requirements/${otherRequirementId}/progress`, officer, 404);
      const one = await data<{ complianceRequirement: { id: string } | null }>(
        'query($id: ID!) { complianceRequirement(id: $id) { id } }',
        { id: otherRequirementId },
        officer,
      );
      expect(one.complianceRequirement).toBeNull();
      const own = await data<{ complianceRequirement: { id: string } | null }>(
        'query($id: ID!) { complianceRequirement(id: $id) { id } }',
        { id: requirementIds[0] },
        officer,
      );
      expect(own.complianceRequirement).toEqual({ id: requirementIds[0] });
      await refusedAlike('/compliance/requirements', REQUIREMENTS, {}, manager, 403, 'FORBIDDEN');
    });
  });

  describe('tenants and registrations', () => {
    const TENANTS = `query($status: TenantStatus, $ordering: String) { tenants(status: $status, ordering: $ordering) {
      totalCount nodes { id name slug status registration { id } } } }`;
    const REGISTRATIONS = `query($status: RegistrationStatus) { registrations(status: $status) { totalCount nodes { id companyName status tenant { id } } } }`;

    it('lists tenants and registrations for platform admins as REST does', async () => {
      const listed = await rest('/tenants?ordering=name', platformAdmin);
      const { tenants } = await data<{ tenants: { totalCount: number; nodes: { id: string }[] } }>(
        TENANTS,
        { ordering: 'name' },
        platformAdmin,
      );
      expect(tenants.nodes.map((t) => t.id)).toEqual(listed.items.map((t: { id: string }) => t.id));
      expect(tenants.totalCount).toBe(listed.pagination.total);
      const suspended = await data<{ tenants: { nodes: unknown[] } }>(TENANTS, { status: 'suspended' }, platformAdmin);
      expect(suspended.tenants.nodes).toEqual([]);

      const registrations = await rest('/registrations?status=pending', platformAdmin);
      const answer = await data<{ registrations: { nodes: { id: string; companyName: string; tenant: null }[] } }>(
        REGISTRATIONS,
        { status: 'pending' },
        platformAdmin,
      );
      expect(answer.registrations.nodes.map((r) => r.id)).toEqual(registrations.items.map((r: { id: string }) => r.id));
      expect(answer.registrations.nodes).toEqual([
        { id: registrationId, companyName: 'Southwind Assurance', status: 'pending', tenant: null },
      ]);
    });

    it('lets a tenant admin read their own tenant only (another is null where REST answers 404)', async () => {
      await rest(`/tenants/${other.id}`, admin, 404);
      const answer = await data<{ own: { id: string } | null; theirs: unknown }>(
        'query($own: ID!, $theirs: ID!) { own: tenant(id: $own) { id registration { id } } theirs: tenant(id: $theirs) { id } }',
        { own: tenant.id, theirs: other.id },
        admin,
      );
      expect(answer).toEqual({ own: { id: tenant.id, registration: null }, theirs: null });
    });

    it('refuses tenant lists and registrations to anyone but platform admins (FORBIDDEN), as REST does', async () => {
      await refusedAlike('/tenants', TENANTS, {}, admin, 403, 'FORBIDDEN');
      await refusedAlike('/registrations', REGISTRATIONS, {}, otherAdmin, 403, 'FORBIDDEN');
      await refusedAlike(
        `/registrations/${registrationId}`,
        'query($id: ID!) { registration(id: $id) { id } }',
        { id: registrationId },
        admin,
        403,
        'FORBIDDEN',
      );
      await refusedAlike(
        `/tenants/${tenant.id}`,
        `query($id: ID!) { tenant(id: $id) { id } }`,
        { id: tenant.id },
        officer,
        403,
        'FORBIDDEN',
      );
    });
  });

  describe('a policy bound from a quote', () => {
    const SUBSCRIPTION_QUOTE = `query ($id: ID!) { subscription(id: $id) { quote { id requestedById policyholderId } } }`;

    it('answers who asked for the quote and whom it is for, as REST does', async () => {
      // A quote staff asked for a policyholder, bound for them.
      const plan = await buildPlan({ tenantId: tenant.id });
      const quote = await buildQuote(plan, { requestedById: admin.id, policyholderId: holder.id, status: 'bound' });
      const bound = await buildSubscription({ tenantId: tenant.id, planId: plan.id, policyholderId: holder.id, quoteId: quote.id });
      const body = await rest(`/subscriptions/${bound.id}`, admin);
      expect(body.quote).toMatchObject({ id: quote.id, requestedById: admin.id, policyholderId: holder.id });
      const { subscription } = await data<{ subscription: { quote: unknown } }>(SUBSCRIPTION_QUOTE, { id: bound.id }, admin);
      expect(subscription.quote).toEqual({ id: quote.id, requestedById: admin.id, policyholderId: holder.id });
    });
  });

  describe('reports', () => {
    const CLAIMS_REPORT = `query($from: String, $to: String, $groupBy: String) { claimsReport(from: $from, to: $to, groupBy: $groupBy) {
      period { from to } groupBy
      totals { filed approved denied paid denialRate currency amountClaimed amountApproved amountPaid }
      groups { key label filed approved denied paid denialRate currency amountClaimed amountApproved amountPaid }
      currentStages { reported assigned under_review investigation documents_requested waiting_approval approved denied payment_processing paid closed }
      stageTimes { stage stays meanHours p50Hours p90Hours }
      approvalsByAuthority { adjuster senior manager other }
      slaBreaches { count truncated items { claimNumber stage overdueHours } }
      costs { planId plan currency costType claims outstanding paid recovered incurred } } }`;
    const POLICIES_REPORT = `query($groupBy: String) { policiesReport(groupBy: $groupBy) {
      period { from to } groupBy
      totals { written activated cancelled expired renewed currency writtenPremium renewedPremium }
      groups { key label written activated cancelled expired renewed currency writtenPremium renewedPremium }
      currentStatuses { pending pending_payment active lapsed cancelled expired }
      cancellationsByReason { reason count }
      expiring { within30Days within60Days within90Days truncated items { subscriptionId plan endDate premium } } } }`;
    const COMPLIANCE_REPORT = `{ complianceReport { requirements { requirementId title status complete
      overall { audience acknowledged pending overdue exempt percent }
      policies { policyId versionId audience acknowledged percent escalations { level1 level2 } } } } }`;
    const PLATFORM_REPORT = `query($first: Int) { platformReport(first: $first) { tenants { nodes { id name
      figures { users activePolicies openClaims slaBreaches requirements { total on_track at_risk breached } } } }
      registrations { count truncated items { id companyName } } } }`;

    /** REST's JSON with only what GraphQL was asked (dates as GraphQL writes them). */
    const json = (value: unknown) => JSON.parse(JSON.stringify(value));

    it('answers the claims report with the figures REST counts', async () => {
      const body = await rest('/reports/claims?groupBy=assignee', manager);
      const { claimsReport } = await data<{ claimsReport: Record<string, unknown> }>(CLAIMS_REPORT, { groupBy: 'assignee' }, manager);
      const { slaBreaches, ...figures } = body;
      expect(claimsReport).toEqual(
        json({
          ...figures,
          slaBreaches: {
            ...slaBreaches,
            items: slaBreaches.items.map(({ claimNumber, stage, overdueHours }: Record<string, unknown>) => ({
              claimNumber,
              stage,
              overdueHours,
            })),
          },
        }),
      );
      expect(claimsReport.totals).toMatchObject({ filed: 2, amountClaimed: '1150.00' });
    });

    it('answers the policies, compliance and platform reports with the figures REST counts', async () => {
      const policies = await rest('/reports/policies?groupBy=plan', admin);
      const { policiesReport } = await data<{ policiesReport: Record<string, unknown> }>(POLICIES_REPORT, { groupBy: 'plan' }, admin);
      expect(policiesReport).toEqual(
        json({
          ...policies,
          expiring: {
            ...policies.expiring,
            items: policies.expiring.items.map(({ subscriptionId, plan, endDate, premium }: Record<string, unknown>) => ({
              subscriptionId,
              plan,
              endDate,
              premium,
            })),
          },
        }),
      );

      const compliance = await rest('/reports/compliance', officer);
      const { complianceReport } = await data<{ complianceReport: { requirements: unknown[] } }>(COMPLIANCE_REPORT, {}, officer);
      expect(complianceReport.requirements).toEqual(
        compliance.requirements.map(({ requirementId, title, status, complete, overall, policies }: Record<string, unknown>) => ({
          requirementId,
          title,
          status,
          complete,
          overall,
          policies: (policies as Record<string, unknown>[]).map(
            ({ policyId, versionId, audience, acknowledged, percent, escalations }) => ({
              policyId,
              versionId,
              audience,
              acknowledged,
              percent,
              escalations,
            }),
          ),
        })),
      );
      expect(complianceReport.requirements).toHaveLength(requirementIds.length);

      const platform = await rest('/reports/platform', platformAdmin);
      const { result, count } = await statementsOf(() =>
        data<{ platformReport: { tenants: { nodes: { id: string; name: string; figures: unknown }[] }; registrations: unknown } }>(
          PLATFORM_REPORT,
          {},
          platformAdmin,
        ),
      );
      expect(result.platformReport.tenants.nodes).toEqual(
        platform.items.map(({ tenant: t, ...figures }: { tenant: { id: string; name: string } }) => ({ id: t.id, name: t.name, figures })),
      );
      expect(result.platformReport.registrations).toEqual({
        count: 1,
        truncated: false,
        items: [{ id: registrationId, companyName: 'Southwind Assurance' }],
      });
      // The figures of a page are counted together: a page of one tenant runs as many statements.
      const { count: ofOne } = await statementsOf(() => data(PLATFORM_REPORT, { first: 1 }, platformAdmin));
      expect(ofOne).toBe(count);
    });

    it('refuses the roles REST refuses (FORBIDDEN) and a period REST refuses (BAD_USER_INPUT)', async () => {
      await refusedAlike('/reports/claims', CLAIMS_REPORT, {}, holder, 403, 'FORBIDDEN');
      await refusedAlike('/reports/policies', POLICIES_REPORT, {}, manager, 403, 'FORBIDDEN');
      await refusedAlike('/reports/compliance', COMPLIANCE_REPORT, {}, adjuster, 403, 'FORBIDDEN');
      await refusedAlike('/reports/platform', PLATFORM_REPORT, {}, admin, 403, 'FORBIDDEN');
      await refusedAlike(
        '/reports/claims?from=2026-02-01&to=2026-01-01',
        CLAIMS_REPORT,
        { from: '2026-02-01', to: '2026-01-01' },
        manager,
        422,
        'BAD_USER_INPUT',
      );
      await refusedAlike('/reports/claims?groupBy=tenant', CLAIMS_REPORT, { groupBy: 'tenant' }, manager, 400, 'BAD_USER_INPUT');
    });

    it("counts only the caller's tenant", async () => {
      const { claimsReport } = await data<{ claimsReport: { currentStages: Record<string, number> } }>(CLAIMS_REPORT, {}, manager);
      expect(Object.values(claimsReport.currentStages).reduce((a, b) => a + b, 0)).toBe(2);
    });
  });
});

/**
 * GraphQL against the real API and PostgreSQL: the claims manager's screen in a fixed number of
 * SQL statements whatever the page size, the access policy of REST (another tenant's row absent,
 * a role that may not act FORBIDDEN), mutations through the REST commands (row and audit event),
 * and the request bounds (depth, cost, suggestions) refused before anything executes.
 */
import crypto from 'node:crypto';
import { parse, validate } from 'graphql';
import { boundsRule, MAX_COST } from '../../src/api/graphql/bounds';
import { schema } from '../../src/api/graphql/schema';
import { AuditEvent, ClaimDocument, ClaimNote, CompliancePolicy, type Claim, type User } from '../../src/models';
import { bearer, buildAcknowledgement, buildClaim, buildClaimMoves, buildPolicyVersion, buildSubscription } from '../support/factories';
import { statementsOf as countStatements } from '../support/statements';
import { testStackOfBlock } from '../support/stack';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: string[] }[];
}

const SCREEN = `query Screen($first: Int) {
  claims(first: $first, status: under_review) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id claimNumber status amountClaimed
      policy { id status coverageAmount policyholder { fullName } }
      policyholder { id fullName }
      assignee { id fullName role }
      history(last: 3) { sequence toStatus occurredAt }
      documentCount
    } }
  }
}`;

describe('GraphQL API (real API and PostgreSQL)', () => {
  const stack = testStackOfBlock();
  let team: ClaimsTeam;
  let other: ClaimsTeam;
  let claims: Claim[];
  let otherClaim: Claim;

  beforeAll(async () => {
    team = await createClaimsTeam();
    other = await createClaimsTeam();
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    claims = [];
    for (let i = 0; i < 25; i++) {
      const claim = await buildClaim({ subscriptionId: subscription.id, status: 'under_review', assigneeId: team.adjuster.id });
      await buildClaimMoves(claim, ['assigned', 'under_review', 'investigation', 'under_review'], team.adjuster.id);
      await ClaimDocument.bulkCreate(
        Array.from({ length: i % 3 }, (_, n) => ({
          tenantId: claim.tenantId,
          claimId: claim.id,
          uploadedById: team.claimant.id,
          fileName: `invoice-${n}.pdf`,
          contentType: 'application/pdf',
          sizeBytes: 100,
          sha256: crypto.randomBytes(32).toString('hex'),
          storageKey: `${claim.id}/${n}`,
        })),
      );
      claims.push(claim);
    }
    const otherSubscription = await buildSubscription({ policyholderId: other.claimant.id });
    otherClaim = await buildClaim({ subscriptionId: otherSubscription.id, status: 'under_review' });
  });

  async function graphql(
    query: string,
    variables: Record<string, unknown> = {},
    as?: User,
  ): Promise<{ status: number; body: GraphQLAnswer }> {
    const request = stack.api.post('/api/graphql').set('Accept', 'application/graphql-response+json');
    if (as) request.set('Authorization', bearer(stack.config, as));
    const res = await request.send({ query, variables });
    return { status: res.status, body: JSON.parse(res.text) as GraphQLAnswer };
  }

  /** The SQL statements the API runs while answering `run` (after the caller's authority is cached). */
  const statementsOf = <T>(run: () => Promise<T>) => countStatements(stack.db.sequelize, run);

  describe("the claims manager's screen", () => {
    const statementsByPageSize = new Map<number, number>();

    it.each([20, 5])(
      'answers %i claims with policy, holder, assignee, last 3 history entries and document count in at most 8 statements',
      async (first) => {
        await graphql('{ viewer { id } }', {}, team.manager); // the caller's authority, cached for 10 s as on REST
        const { result, statements } = await statementsOf(() => graphql(SCREEN, { first }, team.manager));
        expect(result.status).toBe(200);
        expect(result.body.errors).toBeUndefined();
        const connection = result.body.data!.claims as {
          totalCount: number;
          pageInfo: { hasNextPage: boolean };
          edges: {
            node: {
              id: string;
              history: { sequence: number }[];
              documentCount: number;
              assignee: { id: string };
              policyholder: { id: string };
              policy: { policyholder: { fullName: string } };
            };
          }[];
        };
        expect(connection.totalCount).toBe(25);
        expect(connection.pageInfo.hasNextPage).toBe(true);
        expect(connection.edges).toHaveLength(first);
        for (const { node } of connection.edges) {
          const index = claims.findIndex((claim) => claim.id === node.id);
          expect(node.history.map((entry) => entry.sequence)).toEqual([2, 3, 4]);
          expect(node.documentCount).toBe(index % 3);
          expect(node.assignee.id).toBe(team.adjuster.id);
          expect(node.policyholder.id).toBe(team.claimant.id);
          expect(node.policy.policyholder.fullName).toBe(team.claimant.fullName);
        }
        expect(statements.length).toBeLessThanOrEqual(8);
        statementsByPageSize.set(first, statements.length);
      },
    );

    it('runs the same statements whatever the page size', () => {
      expect(statementsByPageSize.get(20)).toBe(statementsByPageSize.get(5));
    });

    it('pages on with the opaque cursor, without repeating a claim, and refuses a forged one', async () => {
      const first = await graphql(SCREEN, { first: 20 }, team.manager);
      const end = (first.body.data!.claims as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
      const rest = await graphql(
        'query($after: String) { claims(first: 20, after: $after, status: under_review) { pageInfo { hasNextPage } nodes { id } } }',
        { after: end },
        team.manager,
      );
      const ids = [
        ...(first.body.data!.claims as { edges: { node: { id: string } }[] }).edges.map((e) => e.node.id),
        ...(rest.body.data!.claims as { nodes: { id: string }[] }).nodes.map((n) => n.id),
      ];
      expect(new Set(ids)).toEqual(new Set(claims.map((c) => c.id)));
      const forged = await graphql('{ claims(after: "bm90LWEtY3Vyc29y") { totalCount } }', {}, team.manager);
      expect(forged.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      // A cursor's instant on a day not in the calendar was read as another one (2026-02-30 as 2 March).
      const notADay = Buffer.from(JSON.stringify(['createdAt', '2026-02-30T00:00:00.000Z', claims[0].id])).toString('base64url');
      const paged = await graphql('query($after: String) { claims(after: $after) { totalCount } }', { after: notADay }, team.manager);
      expect(paged.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      const tooMany = await graphql('{ claims(first: 101) { totalCount } }', {}, team.manager);
      expect(tooMany.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });

  describe('the access policy of REST', () => {
    it("answers another tenant's claim as absent: null by id, not in the list", async () => {
      const byId = await graphql('query($id: ID!) { claim(id: $id) { id } }', { id: otherClaim.id }, team.manager);
      expect(byId.body).toEqual({ data: { claim: null } });
      const list = await graphql('{ claims(first: 100) { totalCount nodes { id } } }', {}, team.manager);
      const ids = (list.body.data!.claims as { nodes: { id: string }[] }).nodes.map((n) => n.id);
      expect(ids).not.toContain(otherClaim.id);
      expect((list.body.data!.claims as { totalCount: number }).totalCount).toBe(25);
    });

    it('shows a policyholder their own claims only, and no notes (FORBIDDEN)', async () => {
      const mine = await graphql('{ claims(first: 5) { totalCount } }', {}, other.claimant);
      expect(mine.body.data).toEqual({ claims: { totalCount: 1 } });
      const notes = await graphql('query($id: ID!) { claim(id: $id) { id notes { id } } }', { id: otherClaim.id }, other.claimant);
      expect(notes.body.data).toEqual({ claim: { id: otherClaim.id, notes: null } });
      expect(notes.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('refuses a policyholder assigning a claim (FORBIDDEN), and changes nothing', async () => {
      const res = await graphql(
        'mutation($id: ID!, $to: ID!) { assignClaim(id: $id, assigneeId: $to) { id } }',
        { id: claims[0].id, to: team.senior.id },
        team.claimant,
      );
      expect(res.body.data).toBeNull();
      expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'forbidden' });
      expect((await claims[0].reload()).assigneeId).toBe(team.adjuster.id);
    });

    it("answers a note on another tenant's claim NOT_FOUND, as REST's 404", async () => {
      const res = await graphql('mutation($id: ID!) { addClaimNote(id: $id, body: "peek") { id } }', { id: otherClaim.id }, team.manager);
      expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
      expect(await ClaimNote.count({ where: { claimId: otherClaim.id } })).toBe(0);
    });

    it('answers without a token only viewer (null); anything else UNAUTHENTICATED', async () => {
      // Introspection too, unless GRAPHQL_ANONYMOUS_INTROSPECTION allows it (tests/graphql/query-bounds.test.ts).
      expect((await graphql('{ viewer { id } }')).body).toEqual({ data: { viewer: null } });
      const claimsAnonymously = await graphql('{ claims { totalCount } }');
      expect(claimsAnonymously.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('acknowledgements', () => {
    it("lists the caller's own with their version and policy; another employee's is NOT_FOUND to acknowledge; a reviewer role is needed to approve", async () => {
      const version = await buildPolicyVersion({ tenantId: team.tenant.id, status: 'published' });
      const [mine, theirs] = await Promise.all([
        buildAcknowledgement({ versionId: version.id, employeeId: team.adjuster.id }),
        buildAcknowledgement({ versionId: version.id, employeeId: team.senior.id }),
      ]);
      const list = await graphql(
        '{ acknowledgements { totalCount nodes { id status version { versionNumber policy { title } } } } }',
        {},
        team.adjuster,
      );
      const policy = await CompliancePolicy.findByPk(version.policyId, { rejectOnEmpty: true });
      expect(list.body.data).toEqual({
        acknowledgements: {
          totalCount: 1,
          nodes: [{ id: mine.id, status: 'pending', version: { versionNumber: version.versionNumber, policy: { title: policy.title } } }],
        },
      });

      const foreign = await graphql('mutation($id: ID!) { acknowledge(id: $id) { id } }', { id: theirs.id }, team.adjuster);
      expect(foreign.body.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
      expect((await theirs.reload()).status).toBe('pending');

      const approve = await graphql('mutation($id: ID!) { approveVersion(id: $id) { id } }', { id: version.id }, team.adjuster);
      expect(approve.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('mutations through the REST commands', () => {
    it('adds a note with its audit event; bad input is BAD_USER_INPUT and writes nothing', async () => {
      const res = await graphql(
        'mutation($id: ID!, $body: String!) { addClaimNote(id: $id, body: $body) { id body author { id } } }',
        { id: claims[1].id, body: 'Called the plumber' },
        team.adjuster,
      );
      const note = res.body.data!.addClaimNote as { id: string; body: string; author: { id: string } };
      expect(note).toMatchObject({ body: 'Called the plumber', author: { id: team.adjuster.id } });
      const event = await AuditEvent.findOne({ where: { action: 'claim.note_add', entityId: claims[1].id } });
      expect(event).toMatchObject({ actorId: team.adjuster.id });

      const tooLong = await graphql(
        'mutation($id: ID!, $body: String!) { addClaimNote(id: $id, body: $body) { id } }',
        { id: claims[1].id, body: 'x'.repeat(20_000) },
        team.adjuster,
      );
      expect(tooLong.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      const badId = await graphql('mutation { addClaimNote(id: "not-a-uuid", body: "x") { id } }', {}, team.adjuster);
      expect(badId.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await ClaimNote.count({ where: { claimId: claims[1].id } })).toBe(1);
    });
  });

  describe('idempotencyKey, with the Idempotency-Key rules of REST', () => {
    const addNote =
      'mutation($id: ID!, $body: String!, $key: String) { addClaimNote(id: $id, body: $body, idempotencyKey: $key) { id body } }';

    it('writes once for a repeated key, refuses the key with other input, and a malformed key', async () => {
      const key = `note-${crypto.randomUUID()}`;
      const first = await graphql(addNote, { id: claims[2].id, body: 'Asked for the invoice', key }, team.adjuster);
      const again = await graphql(addNote, { id: claims[2].id, body: 'Asked for the invoice', key }, team.adjuster);
      expect(again.body.data).toEqual(first.body.data);
      expect(await ClaimNote.count({ where: { claimId: claims[2].id } })).toBe(1);
      expect(await AuditEvent.count({ where: { action: 'claim.note_add', entityId: claims[2].id } })).toBe(1);

      const otherInput = await graphql(addNote, { id: claims[2].id, body: 'Something else', key }, team.adjuster);
      expect(otherInput.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'idempotency_key_reused' });
      const malformed = await graphql(addNote, { id: claims[2].id, body: 'x', key: 'short' }, team.adjuster);
      expect(malformed.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(await ClaimNote.count({ where: { claimId: claims[2].id } })).toBe(1);
    });
  });

  describe('bounds, before anything executes', () => {
    it('refuses a query over the cost limit with the computed cost, running no statement', async () => {
      // The caller's authority, cached for 10 s: on a loaded machine the earlier tests may outlast it.
      await graphql('{ viewer { id } }', {}, team.manager);
      const costly = await statementsOf(() =>
        graphql('{ claims(first: 100) { nodes { id history(last: 50) { sequence actor { id fullName email } } } } }', {}, team.manager),
      );
      expect(costly.result.status).toBe(400);
      expect(costly.result.body.data).toBeUndefined();
      expect(costly.result.body.errors?.[0].extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: expect.any(Number), limit: 5000 });
      expect(costly.result.body.errors![0].extensions!.cost).toBeGreaterThan(5000);
      expect(costly.statements).toEqual([]);
    });

    it('measures depth through fragments; a document deeper than the limit is refused', () => {
      const document = parse(
        '{ claims { ...Deep } } fragment Deep on ClaimConnection { edges { node { policy { policyholder { id } } } } }',
      );
      expect(validate(schema, document, [boundsRule({ limits: { depth: 6, cost: MAX_COST } })])).toEqual([]);
      const [refusal] = validate(schema, document, [boundsRule({ limits: { depth: 5, cost: MAX_COST } })]);
      expect(refusal.extensions).toEqual({ code: 'DEPTH_LIMIT_EXCEEDED', depth: 6, limit: 5 });
    });

    it('gives no field suggestions to a caller without a token', async () => {
      const anonymous = await graphql('{ viewr { id } }');
      expect(anonymous.body.errors?.[0].message).not.toMatch(/Did you mean/);
      const signedIn = await graphql('{ viewr { id } }', {}, team.manager);
      expect(signedIn.body.errors?.[0].message).toMatch(/Did you mean "viewer"/);
    });

    it('answers one operation per request: a batch is refused', async () => {
      const res = await stack.api
        .post('/api/graphql')
        .set('Authorization', bearer(stack.config, team.manager))
        .set('Accept', 'application/graphql-response+json')
        .send([{ query: '{ viewer { id } }' }, { query: '{ viewer { id } }' }]);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).not.toHaveProperty('data');
    });
  });
});

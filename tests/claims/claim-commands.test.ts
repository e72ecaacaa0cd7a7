/**
 * The claim commands of src/domain/claims called as a second transport will call them: no HTTP,
 * only a caller, an input and the deps any transport builds (commandDepsOf). Real PostgreSQL,
 * Temporal dev server and worker. Refusals are read through the API's error mapping, so they are
 * the very answers REST gives.
 */
import crypto from 'node:crypto';
import { commandDepsOf } from '../../src/api/http/command-deps';
import { refusal } from '../support/refusals';
import { addClaimNote, assignClaim, fileClaim, transitionClaim } from '../../src/domain/claims/commands';
import { AuditEvent, Claim, ClaimHistory, type Subscription, type User } from '../../src/models';
import { buildSubscription, buildTenant, buildUser, callerOf } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';
import { ClaimsTeam, createClaimsTeam } from '../claims/fixtures';

describe('claim commands called directly, without HTTP', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let subscription: Subscription;
  let foreignManager: User;

  /** A fresh request as any transport would describe it. */
  const request = (user: User, idempotencyKey?: string) => {
    const requestId = crypto.randomUUID();
    return { requestId, deps: commandDepsOf(stack.services, { caller: callerOf(user), requestId, idempotencyKey }) };
  };

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
    foreignManager = await buildUser({ tenantId: (await buildTenant()).id, role: 'claims_manager' });
  });
  afterAll(() => stack?.close());

  it('files (once per key), assigns and moves a claim; another tenant’s manager finds no claim; each write is audited', async () => {
    const input = {
      subscriptionId: subscription.id,
      incidentDate: new Date(`${subscription.startDate}T00:00:00Z`),
      amountClaimed: 4000,
      description: 'Burst pipe flooded the kitchen',
    };
    const filing = request(team.agent, `claim-command-${crypto.randomUUID()}`);
    const filed = await fileClaim(callerOf(team.agent), input, filing.deps);
    expect(filed).toMatchObject({ status: 'reported', claimantId: team.claimant.id, filedById: team.agent.id, amountClaimed: '4000.00' });
    expect(filed.runId).toEqual(expect.any(String));
    await expect(AuditEvent.findOne({ where: { entityId: filed.id, action: 'claim.file' } })).resolves.toMatchObject({
      actorType: 'user',
      actorId: team.agent.id,
      requestId: filing.requestId,
      tenantId: team.tenant.id,
    });

    // The same key is the same filing: no second claim, no second run.
    const repeated = await fileClaim(callerOf(team.agent), input, request(team.agent, filing.deps.idempotencyKey).deps);
    expect(repeated.id).toBe(filed.id);
    expect(await Claim.count({ where: { subscriptionId: subscription.id } })).toBe(1);

    // Another tenant's claim is a missing one, exactly as REST answers it, and nothing moves.
    await expect(
      refusal(assignClaim(callerOf(foreignManager), { id: filed.id, assigneeId: team.adjuster.id }, request(foreignManager).deps)),
    ).resolves.toEqual({ status: 404, code: 'not_found', message: 'Claim not found' });
    await expect(Claim.findByPk(filed.id)).resolves.toMatchObject({ status: 'reported', assigneeId: null });

    const assigned = await assignClaim(callerOf(team.manager), { id: filed.id, assigneeId: team.adjuster.id }, request(team.manager).deps);
    expect(assigned).toMatchObject({ status: 'assigned', assigneeId: team.adjuster.id });

    const moved = await transitionClaim(callerOf(team.adjuster), { id: filed.id, to: 'under_review' }, request(team.adjuster).deps);
    expect(moved.status).toBe('under_review');
    const history = await ClaimHistory.findAll({ where: { claimId: filed.id }, order: [['sequence', 'ASC']] });
    expect(history.map((h) => [h.actorId, h.fromStatus, h.toStatus])).toEqual([
      [team.agent.id, null, 'reported'],
      [team.manager.id, 'reported', 'assigned'],
      [team.adjuster.id, 'assigned', 'under_review'],
    ]);

    const noting = request(team.adjuster);
    const note = await addClaimNote(callerOf(team.adjuster), { id: filed.id, body: 'Called the plumber' }, noting.deps);
    await expect(AuditEvent.findOne({ where: { entityId: filed.id, action: 'claim.note_add' } })).resolves.toMatchObject({
      actorId: team.adjuster.id,
      requestId: noting.requestId,
      changes: { noteId: { before: null, after: note.id }, body: { before: null, after: 'Called the plumber' } },
    });
  });
});

/**
 * An Idempotency-Key names one request: on the real API, PostgreSQL and Temporal, the same key
 * with a different body is refused with 422 and changes nothing, whether the first request
 * completed or failed; the same request (its keys in any order) is replayed or, after a failure,
 * run again.
 */
import { Claim, IdempotencyRecord, OutboxMessage, type Subscription } from '../../src/models';
import { createClaimsTeam, type ClaimsTeam } from '../claims/fixtures';
import { bearer, buildSubscription } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('Idempotency-Key bound to its request', () => {
  const stack = testStackOfBlock();
  let team: ClaimsTeam;
  let subscription: Subscription;

  beforeAll(async () => {
    team = await createClaimsTeam();
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
  });

  const fileClaim = (key: string, body: object) =>
    stack.api.post('/api/v1/claims').set('Authorization', bearer(stack.config, team.claimant)).set('Idempotency-Key', key).send(body);
  const claimBody = (description: string) => ({
    subscriptionId: subscription.id,
    incidentDate: subscription.startDate,
    amountClaimed: 450,
    description,
  });
  const claimsAndStarts = async () => ({
    claims: await Claim.count({ where: { tenantId: team.tenant.id } }),
    starts: await OutboxMessage.count(),
  });

  it('replays the same request, its keys in another order, and refuses another body with 422 without filing anything', async () => {
    const body = claimBody('Hail dented the car bonnet');
    const first = await fileClaim('bound-key-completed-1', body).expect(201);
    const before = await claimsAndStarts();

    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const replay = await fileClaim('bound-key-completed-1', reordered).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);

    const other = await fileClaim('bound-key-completed-1', { ...body, amountClaimed: 9000 });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await claimsAndStarts()).toEqual(before);
    expect(await IdempotencyRecord.count({ where: { key: 'bound-key-completed-1' } })).toBe(1);
  });

  it('after a failed (4xx) first attempt, the same key with another body is refused with 422; the same body runs again', async () => {
    const failing = { ...claimBody('Water damage in the cellar'), subscriptionId: '00000000-0000-4000-8000-000000000000' };
    const failed = await fileClaim('bound-key-failed-1', failing);
    expect(failed.status).toBe(404);
    const before = await claimsAndStarts();

    const other = await fileClaim('bound-key-failed-1', claimBody('Water damage in the cellar'));
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await claimsAndStarts()).toEqual(before);

    // The failed request itself may be repeated: it runs again and fails the same way.
    expect((await fileClaim('bound-key-failed-1', failing)).status).toBe(404);
  });

  it('refuses another body with 422 while the first request is still in progress', async () => {
    // What a request that is still running has left in the table: its key, bound to its hash, with no response yet.
    const body = claimBody('Burst pipe in the kitchen');
    await fileClaim('bound-key-running-1', body).expect(201);
    await IdempotencyRecord.update({ responseStatus: null, responseBody: null }, { where: { key: 'bound-key-running-1' } });
    const before = await claimsAndStarts();

    const other = await fileClaim('bound-key-running-1', { ...body, description: 'Burst pipe in the bathroom' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect((await fileClaim('bound-key-running-1', body)).status).toBe(409);
    expect(await claimsAndStarts()).toEqual(before);
  });
});

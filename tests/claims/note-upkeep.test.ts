/**
 * Upkeep of claim notes on the real API and PostgreSQL: the author corrects a note within 15
 * minutes (each replaced text kept as a revision, both texts audited), the author or a claims
 * manager withdraws it with a reason, and the withdrawn note leaves the list but stays in the
 * table, the audit trail and the tenant admin's view. Refusals change nothing.
 */
import { QueryTypes } from 'sequelize';
import { allRoutes } from '../../src/api/routes';
import { AuditEvent, Claim, ClaimNote, ClaimNoteRevision, type User } from '../../src/models';
import { bearer, buildClaim, buildSubscription, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';
import { ClaimsTeam, createClaimsTeam } from './fixtures';

interface NoteAnswer {
  id: string;
  body: string;
  editedAt: string | null;
  withdrawnAt: string | null;
  withdrawnById: string | null;
  withdrawalReason: string | null;
}

describe('claim note upkeep (real API and PostgreSQL)', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let admin: User;
  let claim: Claim;

  beforeAll(async () => {
    stack = await startTestStack();
    team = await createClaimsTeam();
    admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    claim = await buildClaim({ subscriptionId: subscription.id });
  });
  afterAll(() => stack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const notesUrl = (claimId = claim.id) => `/api/v1/claims/${claimId}/notes`;
  const edit = (user: User, noteId: string, body: string | object, claimId = claim.id) =>
    stack.api
      .patch(`${notesUrl(claimId)}/${noteId}`)
      .set(as(user))
      .send(body);
  const withdraw = (user: User, noteId: string, body: string | object) =>
    stack.api.post(`${notesUrl()}/${noteId}/withdraw`).set(as(user)).send(body);

  async function writeNote(author: User, body = 'Customer called about the leak'): Promise<NoteAnswer> {
    const res = await stack.api.post(notesUrl()).set(as(author)).send({ body }).expect(201);
    return res.body as NoteAnswer;
  }

  async function listedIds(user: User, query = ''): Promise<string[]> {
    const res = await stack.api.get(`${notesUrl()}${query}`).set(as(user)).expect(200);
    return (res.body.items as NoteAnswer[]).map((n) => n.id);
  }

  /** The note's row and revisions, to show a refusal changed nothing. */
  async function stateOf(noteId: string) {
    const note = await ClaimNote.findByPk(noteId, { rejectOnEmpty: true });
    const revisions = await ClaimNoteRevision.count({ where: { noteId } });
    const events = await AuditEvent.count({ where: { entityId: claim.id } });
    return { body: note.body, editedAt: note.editedAt, withdrawnAt: note.withdrawnAt, revisions, events };
  }

  it('lets the author correct a note: the replaced texts become revisions 1 and 2, both texts in the audit trail', async () => {
    const note = await writeNote(team.adjuster, 'Plumber invoice: 1200');
    const created = await ClaimNote.findByPk(note.id, { rejectOnEmpty: true });

    const first = await edit(team.adjuster, note.id, { body: 'Plumber invoice: 1250' }).expect(200);
    expect(first.body).toMatchObject({ id: note.id, body: 'Plumber invoice: 1250', editedAt: expect.any(String), withdrawnAt: null });
    await edit(team.adjuster, note.id, { body: '  Plumber invoice: 1250, excess 100  ' }).expect(200);

    const revisions = await ClaimNoteRevision.findAll({ where: { noteId: note.id }, order: [['revision', 'ASC']] });
    expect(revisions.map((r) => [r.revision, r.body])).toEqual([
      [1, 'Plumber invoice: 1200'],
      [2, 'Plumber invoice: 1250'],
    ]);
    // Each revision says when its text was written: the note's creation, then the first edit.
    expect(revisions[0].writtenAt).toEqual(created.createdAt);
    expect(revisions[1].writtenAt).toEqual(new Date(first.body.editedAt));
    const row = await ClaimNote.findByPk(note.id, { rejectOnEmpty: true });
    expect(row.body).toBe('Plumber invoice: 1250, excess 100');

    const events = await AuditEvent.findAll({ where: { entityId: claim.id, action: 'claim.note_edit' }, order: [['id', 'ASC']] });
    expect(events.map((e) => [e.actorId, e.changes.note.before, e.changes.note.after])).toEqual([
      [
        team.adjuster.id,
        { id: note.id, revision: 1, body: 'Plumber invoice: 1200', editedAt: null },
        { id: note.id, body: 'Plumber invoice: 1250', editedAt: first.body.editedAt },
      ],
      [
        team.adjuster.id,
        { id: note.id, revision: 2, body: 'Plumber invoice: 1250', editedAt: first.body.editedAt },
        { id: note.id, body: 'Plumber invoice: 1250, excess 100', editedAt: row.editedAt!.toISOString() },
      ],
    ]);

    // The same text again is no edit: no revision, no event.
    const before = await stateOf(note.id);
    await edit(team.adjuster, note.id, { body: 'Plumber invoice: 1250, excess 100' }).expect(200);
    expect(await stateOf(note.id)).toEqual(before);
  });

  it('numbers concurrent edits one after the other: every replaced text is kept once', async () => {
    const note = await writeNote(team.senior, 'draft 0');
    const texts = ['draft 1', 'draft 2', 'draft 3', 'draft 4', 'draft 5'];
    const answers = await Promise.all(texts.map((body) => edit(team.senior, note.id, { body })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);

    const revisions = await ClaimNoteRevision.findAll({ where: { noteId: note.id }, order: [['revision', 'ASC']] });
    expect(revisions.map((r) => r.revision)).toEqual([1, 2, 3, 4, 5]);
    const final = (await ClaimNote.findByPk(note.id, { rejectOnEmpty: true })).body;
    // The revisions and the final text are the six texts, each once, revision 1 the original.
    expect([...revisions.map((r) => r.body), final].sort()).toEqual(['draft 0', ...texts].sort());
    expect(revisions[0].body).toBe('draft 0');
  });

  it('refuses an edit past 15 minutes (409), by anyone but the author (404, 403 for a policyholder) and bad input (400), changing nothing', async () => {
    const note = await writeNote(team.adjuster, 'Site visit booked');
    const otherClaim = await buildClaim({ tenantId: team.tenant.id });
    const stranger = await buildUser({ role: 'claims_manager' });
    const unchanged = await stateOf(note.id);

    await edit(team.otherAdjuster, note.id, { body: 'hijacked' }).expect(404);
    await edit(team.manager, note.id, { body: 'hijacked' }).expect(404);
    await edit(admin, note.id, { body: 'hijacked' }).expect(404);
    await edit(stranger, note.id, { body: 'hijacked' }).expect(404);
    const policyholder = await edit(team.claimant, note.id, { body: 'hijacked' }).expect(403);
    expect(policyholder.body.error.code).toBe('forbidden');
    // The note under another claim's path is not that claim's note.
    await edit(team.adjuster, note.id, { body: 'moved' }, otherClaim.id).expect(404);
    for (const body of [{}, { body: '' }, { body: '   ' }, { body: 'x'.repeat(10_001) }, { body: 'ok', authorId: team.manager.id }]) {
      const bad = await edit(team.adjuster, note.id, body).expect(400);
      expect(bad.body.error.code).toBe('validation_failed');
    }
    await stack.api.patch(`${notesUrl()}/not-a-uuid`).set(as(team.adjuster)).send({ body: 'x' }).expect(400);
    expect(await stateOf(note.id)).toEqual(unchanged);

    // Written 16 minutes ago: the window has closed.
    await stack.db.sequelize.query("UPDATE claim_notes SET created_at = now() - interval '16 minutes' WHERE id = :id", {
      replacements: { id: note.id },
      type: QueryTypes.UPDATE,
    });
    const late = await edit(team.adjuster, note.id, { body: 'Site visit booked for Monday' }).expect(409);
    expect(late.body.error).toMatchObject({ code: 'conflict', details: [{ field: 'body', rule: 'edit_window' }] });
    expect(await stateOf(note.id)).toEqual(unchanged);
  });

  it('lets the author or a claims manager withdraw a note with a reason: gone from the list, kept for the tenant admin and the audit trail', async () => {
    const byAuthor = await writeNote(team.agent, 'Wrong claim, meant CLM-2026-000002');
    const byManager = await writeNote(team.adjuster, "Claimant's bank details: …");
    const kept = await writeNote(team.adjuster, 'Estimate requested');

    // Neither the author nor a claims manager: refused as if the note were not there.
    await withdraw(team.otherAdjuster, byAuthor.id, { reason: 'not mine' }).expect(404);
    await withdraw(admin, byAuthor.id, { reason: 'tidy up' }).expect(404);
    await withdraw(team.claimant, byAuthor.id, { reason: 'no' }).expect(403);
    for (const body of [{}, { reason: '' }, { reason: ' ' }, { reason: 'r'.repeat(501) }]) {
      await withdraw(team.agent, byAuthor.id, body).expect(400);
    }
    expect(await ClaimNote.findByPk(byAuthor.id)).toMatchObject({ withdrawnAt: null });

    const own = await withdraw(team.agent, byAuthor.id, { reason: 'Written on the wrong claim' }).expect(200);
    expect(own.body).toMatchObject({ id: byAuthor.id, withdrawnById: team.agent.id, withdrawalReason: 'Written on the wrong claim' });
    const managed = await withdraw(team.manager, byManager.id, { reason: 'Personal data' }).expect(200);
    expect(managed.body).toMatchObject({
      withdrawnById: team.manager.id,
      withdrawalReason: 'Personal data',
      withdrawnAt: expect.any(String),
    });

    expect(await listedIds(team.adjuster)).toEqual(expect.not.arrayContaining([byAuthor.id, byManager.id]));
    expect(await listedIds(team.adjuster)).toContain(kept.id);
    expect(await listedIds(admin)).toEqual(await listedIds(team.adjuster));
    // Withdrawn notes are the tenant admin's to see, on request, with who, when and why.
    const withWithdrawn = await stack.api.get(`${notesUrl()}?includeWithdrawn=true&pageSize=100`).set(as(admin)).expect(200);
    const shown = (withWithdrawn.body.items as NoteAnswer[]).find((n) => n.id === byManager.id);
    expect(shown).toMatchObject({ body: "Claimant's bank details: …", withdrawnById: team.manager.id, withdrawalReason: 'Personal data' });
    const schema = allRoutes(stack.config).find((r) => r.method === 'get' && r.path === '/claims/:id/notes')!.response.schema!;
    expect(schema.validate(withWithdrawn.body, { allowUnknown: false }).error).toBeUndefined();
    const refused = await stack.api.get(`${notesUrl()}?includeWithdrawn=true`).set(as(team.manager)).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    await stack.api.get(`${notesUrl()}?includeWithdrawn=maybe`).set(as(admin)).expect(400);

    // Nobody but the tenant admin finds it again; the admin finds it withdrawn (409).
    await withdraw(team.manager, byManager.id, { reason: 'again' }).expect(404);
    await edit(team.agent, byAuthor.id, { body: 'revived' }).expect(404);
    const adminsOwn = await writeNote(admin, 'Escalated to legal');
    await withdraw(admin, adminsOwn.id, { reason: 'Duplicate of the e-mail' }).expect(200);
    const twice = await withdraw(admin, adminsOwn.id, { reason: 'again' }).expect(409);
    expect(twice.body.error.details).toEqual([expect.objectContaining({ rule: 'withdrawn' })]);
    await edit(admin, adminsOwn.id, { body: 'Escalated to legal on Monday' }).expect(409);

    // Never deleted: the rows are there, and the audit trail names who withdrew what and why.
    expect(await ClaimNote.count({ where: { id: [byAuthor.id, byManager.id, adminsOwn.id] } })).toBe(3);
    const event = await AuditEvent.findOne({ where: { entityId: claim.id, action: 'claim.note_withdraw', actorId: team.manager.id } });
    expect(event?.changes.note).toEqual({
      before: { id: byManager.id, withdrawnAt: null, withdrawnById: null, withdrawalReason: null },
      after: { id: byManager.id, withdrawnAt: managed.body.withdrawnAt, withdrawnById: team.manager.id, withdrawalReason: 'Personal data' },
    });
  });
});

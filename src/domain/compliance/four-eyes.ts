/**
 * Who may not review a policy version (docs/compliance.md, Review before publishing): its makers.
 * They are whoever wrote the text being approved (its author and anyone who changed its text,
 * deadline or audience while it was a draft, in any review round: the approval covers the whole
 * version) and whoever submitted it, each under any of their accounts of the tenant: another
 * account on the same mailbox is the same person, as claims judge it (`mailboxOf`). The run's
 * validators know the author and submitter by account only, so the API asks this before it sends a
 * decision, and the review request is mailed to nobody it names.
 */
import { literal } from 'sequelize';
import { AuditEvent, type PolicyVersion, User } from '../../models';
import type { AuthUser } from '../../shared/caller';
import { samePerson } from '../../shared/errors';
import { mailboxOf, mailboxOfColumn } from '../identity/mailboxes';

/** The fields of a draft whose change makes one of its makers: what people are asked to acknowledge, by when, and who. */
const WRITTEN_FIELDS = ['content', 'deadlineDays', 'audienceRoles'];

/**
 * The accounts that changed the draft's written fields, from its audit trail (append-only, written
 * with each change): a change through an API key is the change of the admin who made the key.
 */
async function editorIdsOf(version: PolicyVersion): Promise<string[]> {
  const updates = await AuditEvent.findAll({
    where: { tenantId: version.tenantId, entityType: 'policy_version', entityId: version.id, action: 'policy_version.update' },
    attributes: ['actorType', 'actorId', 'actorCreatedBy', 'changes'],
  });
  return updates
    .filter((event) => WRITTEN_FIELDS.some((field) => field in event.changes))
    .map((event) => (event.actorType === 'api_key' ? event.actorCreatedBy : event.actorId))
    .filter((id): id is string => Boolean(id));
}

/** The version's makers: their accounts, and the mailboxes those deliver to. */
async function makersOf(version: PolicyVersion): Promise<{ ids: Set<string>; mailboxes: Set<string> }> {
  const ids = new Set([version.createdById, version.submittedById, ...(await editorIdsOf(version))].filter((id): id is string => !!id));
  const users = await User.findAll({ where: { tenantId: version.tenantId, id: [...ids] }, attributes: ['email'] });
  return { ids, mailboxes: new Set(users.map((user) => mailboxOf(user.email))) };
}

const isMaker = (makers: { ids: Set<string>; mailboxes: Set<string> }, user: Pick<User, 'id' | 'email'>) =>
  makers.ids.has(user.id) || makers.mailboxes.has(mailboxOf(user.email));

/** Refuses a decision on the version by one of its makers (403 `same_person`), before anything is recorded. */
export async function assertMayReview(version: PolicyVersion, caller: AuthUser): Promise<void> {
  const [makers, user] = await Promise.all([makersOf(version), User.findByPk(caller.id, { attributes: ['id', 'email'] })]);
  if (makers.ids.has(caller.id) || (user !== null && isMaker(makers, user)))
    throw samePerson(
      'You wrote, changed or submitted this version, under this account or another on the same mailbox: you may not review it; a second person must',
    );
}

/** Of these users, those who may review the version: none of its makers. */
export async function notMakers<U extends Pick<User, 'id' | 'email'>>(version: PolicyVersion, users: U[]): Promise<U[]> {
  const makers = await makersOf(version);
  return users.filter((user) => !isMaker(makers, user));
}

/**
 * The same rule in SQL, for a statement over versions (the inbox's review tasks, docs/inbox.md): the row of
 * `version` (the statement's alias of policy_versions) was not made by the user `userId`, that is no account of its
 * tenant on their mailbox is its author, its submitter or an editor of its written fields (its audit trail, a key's
 * change counting as its maker's). An inbox that offered a maker the task offered links that answer 403 same_person.
 */
export function notMadeBy(userId: string, version: string) {
  const sequelize = User.sequelize!;
  const written = WRITTEN_FIELDS.map((field) => sequelize.escape(field)).join(', ');
  return literal(`NOT EXISTS (
    SELECT 1 FROM users maker JOIN users person ON person.id = ${sequelize.escape(userId)}
     WHERE maker.tenant_id = ${version}.tenant_id
       AND ${mailboxOfColumn('maker.email')} = ${mailboxOfColumn('person.email')}
       AND (maker.id IN (${version}.created_by_id, ${version}.submitted_by_id)
            OR maker.id::text IN (
              SELECT CASE WHEN e.actor_type = 'api_key' THEN e.actor_created_by::text ELSE e.actor_id END
                FROM audit_events e
               WHERE e.tenant_id = ${version}.tenant_id AND e.entity_type = 'policy_version'
                 AND e.entity_id = ${version}.id::text AND e.action = 'policy_version.update'
                 AND e.changes ?| ARRAY[${written}])))`);
}

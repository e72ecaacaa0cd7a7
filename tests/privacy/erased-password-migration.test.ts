/**
 * Migration 0114 on accounts erased before it (real PostgreSQL): an account whose erasure took its `user` step
 * loses the password hash the step then kept, so its old password verifies no more; an account whose erasure has
 * not reached that step (the run destroys it then), and anyone else's, keep theirs.
 */
import crypto from 'node:crypto';
import * as erasedPasswordHashes from '../../src/models/migrations/0114-erased-password-hashes';
import { PrivacyErasure, User } from '../../src/models';
import { verifyPassword } from '../../src/services/passwords';
import { buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';

describe('migration 0114 (erased password hashes) on existing rows', () => {
  const migration = migrationOnExistingRows(erasedPasswordHashes);

  it('destroys the hashes of accounts whose erasure pseudonymised them, and no other', async () => {
    const { erased, midway, other } = await migration.migrate(async () => {
      const tenant = await buildTenant();
      const [admin, erased, midway, other] = await Promise.all(
        (['tenant_admin', 'policyholder', 'policyholder', 'policyholder'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
      );
      const erasure = (userId: string, stepsDone: string[]) => {
        const id = crypto.randomUUID();
        return PrivacyErasure.create({
          id,
          tenantId: tenant.id,
          userId,
          requestedById: admin.id,
          reason: 'Data subject request',
          workflowId: `privacy-erasure-${id}`,
          status: 'running',
          stepsDone,
        });
      };
      await erasure(erased.id, ['documents', 'exports', 'written_text', 'tokens', 'mails', 'data_key', 'user']);
      await erasure(midway.id, ['documents', 'exports']);
      return { erased, midway, other };
    });

    const hashOf = async (user: User) => (await User.findByPk(user.id, { rejectOnEmpty: true })).passwordHash;
    expect(await verifyPassword(TEST_PASSWORD, await hashOf(erased))).toBe(false);
    expect(await hashOf(midway)).toBe(midway.passwordHash);
    expect(await hashOf(other)).toBe(other.passwordHash);
    expect(await verifyPassword(TEST_PASSWORD, await hashOf(other))).toBe(true);
  });
});

/**
 * Operator commands, shipped in the image (`node dist/scripts/admin.js <command>`):
 *
 *   create-platform-admin --email E [--full-name N] [--password-file F]
 *       Creates a platform admin, the account that approves company registrations. The password
 *       comes from the file or from standard input, never from the command line (where `ps` and
 *       shell history would keep it). Running it again for the same address changes nothing.
 *   deactivate-platform-admin --email E
 *       Deactivates a platform admin and ends every session of theirs, as another platform admin
 *       can through the API; refused (exit code 2) for the last active one, or one inactive already.
 *   reactivate-platform-admin --email E
 *       Reactivates a platform admin (exit code 2 if active already).
 *   migrate up|down|pending|executed [umzug options]
 *       The schema migrations, through umzug's own command line.
 *   backups list | take | verify <id> | restore --to T --into DIR [--backup ID]
 *       The cluster's base backups and WAL archive (scripts/backups/commands.ts; docs/production.md,
 *       Backups and point-in-time restore). These read the BACKUP_* variables, not the API's.
 *   backfill-schedules
 *       Makes the schedule PDF of every policy version that has none (version 1 of policies issued
 *       before the issuing run made it), in the document store the API uses (DOCUMENTS_*). Once,
 *       after the upgrade that moved the rendering out of GET /subscriptions/:id/documents; running
 *       it again makes nothing. Not a migration: it renders PDFs into the store, which the migration
 *       job neither has nor should wait on.
 *
 * All read the same environment as the API (DATABASE_URL, the password hashing cost, …), but
 * need none of production's secrets for /metrics and Temporal (METRICS_TOKEN, PAYLOAD_CODEC_KEYS),
 * as a migration job has none. What they change is audited with the operator as its actor (a
 * `system` actor: the CLI knows no user).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { email as emailRule, password as passwordRule } from '../src/api/http/common-schemas';
import { ConfigError, loadConfig } from '../src/config';
import { backups } from './backups/commands';
import { BackupRefused } from './backups/repository';
import { setPlatformAdminActive } from '../src/domain/platform/admin-status';
import { backfillScheduleDocuments } from '../src/domain/subscriptions/schedule-document';
import { openDocumentStore } from '../src/services/documents';
import { initModels, User } from '../src/models';
import { createSequelize } from '../src/models/database';
import { createMigrator } from '../src/models/migrator';
import { recordAudit, type AuditSource } from '../src/domain/audit/record';
import { hashPassword } from '../src/services/passwords';
import { secretSealer } from '../src/services/sealed-secret';
import { ApiError } from '../src/shared/errors';
import type { Sequelize } from 'sequelize';

const USAGE = `usage:
  admin.js create-platform-admin --email E [--full-name N] [--password-file F]   (password on standard input without --password-file)
  admin.js deactivate-platform-admin --email E
  admin.js reactivate-platform-admin --email E
  admin.js migrate up|down|pending|executed [options]
  admin.js backups list | take | verify <id> | restore --to T --into DIR [--backup ID]
  admin.js backfill-schedules`;

/** A mistake of the operator's, or a change refused: printed without a stack, exit code 2. */
class UsageError extends Error {}

/** Who the CLI's changes are audited as: the operator running it. */
const OPERATOR: AuditSource = { actor: { type: 'system', id: null } };

/** Runs `work` with the models on the configured database, closing it after. */
async function withDatabase<T>(work: (sequelize: Sequelize, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { operator: true });
  const sequelize = createSequelize(config.databaseUrl);
  initModels(sequelize);
  try {
    return await work(sequelize, config);
  } finally {
    await sequelize.close();
  }
}

/** The `--email` option, checked as the API checks an address. */
function checkedEmail(value: string | undefined): string {
  const email = emailRule.required().validate(value);
  if (email.error) throw new UsageError(`--email: ${email.error.message}`);
  return email.value as string;
}

function readPassword(file: string | undefined): string {
  // One trailing newline is what `echo` and most editors add; it is not part of the password.
  return fs.readFileSync(file ?? 0, 'utf8').replace(/\r?\n$/, '');
}

async function createPlatformAdmin(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      'full-name': { type: 'string' },
      'password-file': { type: 'string' },
      password: { type: 'string' },
    },
  });
  if (values.password !== undefined)
    throw new UsageError('a password is never taken from the command line: use --password-file or standard input');
  const email = checkedEmail(values.email);
  return withDatabase(async (sequelize, config) => {
    const existing = await User.findOne({ where: { email } });
    if (existing?.role === 'platform_admin') return `platform admin ${email} already exists: nothing changed`;
    if (existing) throw new UsageError(`${email} is already a ${existing.role} account`);
    const password = passwordRule
      .required()
      .validate(readPassword(values['password-file']), { messages: { 'string.pattern.name': 'the password needs a letter and a digit' } });
    if (password.error) throw new UsageError(`password: ${password.error.message}`);
    const passwordHash = await hashPassword(password.value, config.passwordHashing);
    const fullName = values['full-name'] ?? 'Platform Admin';
    await sequelize.transaction(async (transaction) => {
      const admin = await User.create({ email, tenantId: null, role: 'platform_admin', fullName, passwordHash }, { transaction });
      await recordAudit(
        OPERATOR,
        { tenantId: null, action: 'user.create', entityType: 'user', entityId: admin.id, after: admin },
        transaction,
      );
    });
    return `platform admin ${email} created`;
  });
}

/** Deactivates or reactivates the platform admin of `--email`, with the API's rules (the last active one stays). */
function setPlatformAdminStatus(active: boolean) {
  return async (args: string[]): Promise<string> => {
    const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
    const email = checkedEmail(values.email);
    return withDatabase(async (sequelize) => {
      const admin = await User.findOne({ where: { email, role: 'platform_admin', tenantId: null } });
      if (!admin) throw new UsageError(`${email} is not a platform admin`);
      try {
        await setPlatformAdminActive({ sequelize, auditSource: OPERATOR }, admin, active);
      } catch (err) {
        if (err instanceof ApiError) throw new UsageError(`${email}: ${err.message} (${err.code}); nothing changed`);
        throw err;
      }
      return active ? `platform admin ${email} reactivated` : `platform admin ${email} deactivated: every session of theirs has ended`;
    });
  };
}

async function migrate(args: string[]): Promise<string> {
  const config = loadConfig(process.env, { operator: true });
  const sequelize = createSequelize(config.databaseUrl);
  try {
    const ok = await createMigrator(sequelize, { sealer: secretSealer(config.jwt) }).runAsCLI(args);
    if (!ok) throw new UsageError('migration command failed');
    return '';
  } finally {
    await sequelize.close();
  }
}

/** The schedules the list no longer renders on a look: every version's that is missing, once. */
async function backfillSchedules(args: string[]): Promise<string> {
  if (args.length > 0) throw new UsageError('backfill-schedules takes no options');
  return withDatabase(async (sequelize, config) => {
    const store = await openDocumentStore(config.documents);
    try {
      const policies = await backfillScheduleDocuments(sequelize, store);
      return `schedules made for ${policies} ${policies === 1 ? 'policy' : 'policies'}`;
    } finally {
      store.close();
    }
  });
}

const COMMANDS: Record<string, (args: string[]) => Promise<string>> = {
  'create-platform-admin': createPlatformAdmin,
  'deactivate-platform-admin': setPlatformAdminStatus(false),
  'reactivate-platform-admin': setPlatformAdminStatus(true),
  migrate,
  backups,
  'backfill-schedules': backfillSchedules,
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const command = COMMANDS[name ?? ''];
  if (!command) throw new UsageError(USAGE);
  const said = await command(args);
  if (said) process.stdout.write(`${said}\n`);
}

main().catch((err) => {
  const known = err instanceof UsageError || err instanceof ConfigError || err instanceof BackupRefused;
  process.stderr.write(known ? `${err.message}\n` : `${err.stack ?? err}\n`);
  process.exit(known ? 2 : 1);
});

/**
 * Operator commands, shipped in the image (`node dist/scripts/admin.js <command>`):
 *
 *   create-platform-admin --email E [--full-name N] [--password-file F]
 *       Creates a platform admin, the account that approves company registrations. The password
 *       comes from the file or from standard input, never from the command line (where `ps` and
 *       shell history would keep it). Running it again for the same address changes nothing.
 *   migrate up|down|pending|executed [umzug options]
 *       The schema migrations, through umzug's own command line.
 *
 * Both read the same environment as the API (DATABASE_URL, the password hashing cost, …).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { email as emailRule, password as passwordRule } from '../src/api/http/common-schemas';
import { ConfigError, loadConfig } from '../src/config';
import { initModels, User } from '../src/models';
import { createSequelize } from '../src/models/database';
import { createMigrator } from '../src/models/migrator';
import { recordAudit } from '../src/services/audit';
import { hashPassword } from '../src/services/passwords';

const USAGE = `usage:
  admin.js create-platform-admin --email E [--full-name N] [--password-file F]   (password on standard input without --password-file)
  admin.js migrate up|down|pending|executed [options]`;

/** A mistake of the operator's: printed without a stack, exit code 2. */
class UsageError extends Error {}

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
  const email = emailRule.required().validate(values.email);
  if (email.error) throw new UsageError(`--email: ${email.error.message}`);
  const config = loadConfig();
  const sequelize = createSequelize(config.databaseUrl);
  initModels(sequelize);
  try {
    const existing = await User.findOne({ where: { email: email.value } });
    if (existing?.role === 'platform_admin') return `platform admin ${email.value} already exists: nothing changed`;
    if (existing) throw new UsageError(`${email.value} is already a ${existing.role} account`);
    const password = passwordRule
      .required()
      .validate(readPassword(values['password-file']), { messages: { 'string.pattern.name': 'the password needs a letter and a digit' } });
    if (password.error) throw new UsageError(`password: ${password.error.message}`);
    const passwordHash = await hashPassword(password.value, config.passwordHashing);
    const fullName = values['full-name'] ?? 'Platform Admin';
    await sequelize.transaction(async (transaction) => {
      const admin = await User.create(
        { email: email.value, tenantId: null, role: 'platform_admin', fullName, passwordHash },
        { transaction },
      );
      await recordAudit(
        { actor: { type: 'system', id: null } },
        { tenantId: null, action: 'user.create', entityType: 'user', entityId: admin.id, after: admin },
        transaction,
      );
    });
    return `platform admin ${email.value} created`;
  } finally {
    await sequelize.close();
  }
}

async function migrate(args: string[]): Promise<string> {
  const config = loadConfig();
  const sequelize = createSequelize(config.databaseUrl);
  try {
    const ok = await createMigrator(sequelize).runAsCLI(args);
    if (!ok) throw new UsageError('migration command failed');
    return '';
  } finally {
    await sequelize.close();
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<string>> = { 'create-platform-admin': createPlatformAdmin, migrate };

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const command = COMMANDS[name ?? ''];
  if (!command) throw new UsageError(USAGE);
  const said = await command(args);
  if (said) process.stdout.write(`${said}\n`);
}

main().catch((err) => {
  const known = err instanceof UsageError || err instanceof ConfigError;
  process.stderr.write(known ? `${err.message}\n` : `${err.stack ?? err}\n`);
  process.exit(known ? 2 : 1);
});

/** A person's own choice of language for the mails they get (docs/notifications.md, Languages). */
import { User } from '../../models';
import type { Locale } from '../../shared/notification-settings';
import { unauthorized } from '../../shared/errors';
import { audited } from '../audited';
import type { Command } from '../command';

/** Sets the caller's language; null follows the tenant's default again. */
export const setOwnLocale: Command<{ locale: Locale | null }, { locale: Locale | null }> = async (caller, { locale }, deps) => {
  const user = await User.findByPk(caller.id);
  if (!user) throw unauthorized();
  const before = { locale: user.locale };
  await audited(
    deps,
    (transaction) => user.update({ locale }, { transaction }),
    () => ({ tenantId: user.tenantId, action: 'user.update', entityType: 'user', entityId: user.id, before, after: { locale } }),
  );
  return { locale: user.locale };
};

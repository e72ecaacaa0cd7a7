/** Who may preview a tenant's notifications before anyone gets one (docs/notifications.md, Preview): its admins. */
import type { Role } from '../../shared/roles';

export const NOTIFICATION_VERBS = {
  previewNotification: ['tenant_admin'],
} as const satisfies Record<string, readonly Role[]>;

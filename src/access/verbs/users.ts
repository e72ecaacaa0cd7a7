/** Who may manage a tenant's users (docs/accounts.md): its admins; which users they see is the access rule's (src/access/users.ts). */
import { TENANT_ADMINS } from './admins';
import { type Role, STAFF_ROLES } from '../../shared/roles';

export const USER_VERBS = {
  listUsers: TENANT_ADMINS,
  addUser: TENANT_ADMINS,
  viewUser: TENANT_ADMINS,
  /** Change a user (an admin may not take this from themselves: src/domain/users/commands.ts). */
  changeUser: TENANT_ADMINS,
  resetUserMfa: TENANT_ADMINS,
  /** Ask to move a staff member to another address (docs/security.md, Changing an e-mail address). */
  changeStaffEmail: TENANT_ADMINS,
  /** Whose address an admin may move: the staff's (a customer proves their own). */
  haveEmailChangedByAdmin: STAFF_ROLES,
  /** Who may be a user's manager, told of their overdue compliance acknowledgements: the staff, never a customer. */
  beManager: STAFF_ROLES,
  /** Who is invited to work for the tenant (the staff invitation); anyone else added is a customer and gets the customer's. */
  joinAsStaff: STAFF_ROLES,
} as const satisfies Record<string, readonly Role[]>;

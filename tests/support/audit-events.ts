/** Reading the audit trail in tests. */
import { Op } from 'sequelize';

/**
 * Leaves out sign-ins, sign-outs and session refreshes (`auth.*`, docs/accounts.md, Authentication
 * events): for a test about what a change recorded, whatever sessions it took.
 */
export const withoutSessionEvents = { action: { [Op.notLike]: 'auth.%' } };

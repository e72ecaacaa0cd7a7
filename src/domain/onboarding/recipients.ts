/**
 * Who the onboarding run writes to, by the verb that names them (src/access/verbs/platform.ts): a
 * registration waiting for a decision, or expiring undecided, goes to whoever may decide it.
 */
import { rolesOf } from '../../access/verbs';

export const registrationDeciders = () => ({ roles: rolesOf('decideRegistration') });

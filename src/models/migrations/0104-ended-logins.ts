/**
 * The logins of a user ended lately (src/services/authority.ts, ENDED_LOGINS): each authority load
 * lists the families of the user's refresh tokens revoked within the last hour. Partial, on revoked
 * tokens only, with the family beside the key, so the list is read from the index alone, however many
 * tokens the user's live sessions have rotated through. Built concurrently: refresh tokens are
 * written at every sign-in and refresh.
 */
import { concurrentIndexes } from './helpers';

export const { up, down } = concurrentIndexes([
  ['refresh_tokens_user_revoked', 'refresh_tokens (user_id, revoked_at) INCLUDE (family_id) WHERE revoked_at IS NOT NULL'],
]);

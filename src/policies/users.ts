/** The tenant's users, as its admins manage them. */
import { User } from '../models';
import { tenantPolicy } from './core';

export const userPolicy = tenantPolicy('User', User, ['tenant_admin']);

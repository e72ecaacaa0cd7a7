/** The tenant's users, as its admins manage them. */
import { User } from '../models';
import { tenantAccess } from './core';

export const userAccess = tenantAccess('User', User, ['tenant_admin']);

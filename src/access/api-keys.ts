/** The tenant's API keys, as its admins manage them (a key itself never may: src/api/http/middleware/auth.ts). */
import { ApiKey } from '../models';
import { tenantAccess } from './core';

export const apiKeyAccess = tenantAccess('API key', ApiKey, ['tenant_admin']);

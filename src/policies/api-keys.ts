/** The tenant's API keys, as its admins manage them (a key itself never may: src/api/http/middleware/auth.ts). */
import { ApiKey } from '../models';
import { tenantPolicy } from './core';

export const apiKeyPolicy = tenantPolicy('API key', ApiKey, ['tenant_admin']);

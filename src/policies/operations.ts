/** Bulk operations (docs/bulk-operations.md): the claims managers and admins of their tenant see them. */
import { BulkOperation } from '../models';
import type { Role } from '../shared/roles';
import { tenantPolicy } from './core';

export const OPERATION_ROLES: Role[] = ['claims_manager', 'tenant_admin'];

export const bulkOperationPolicy = tenantPolicy('Operation', BulkOperation, OPERATION_ROLES);

/**
 * Privacy (docs/privacy.md, Erasure, retention and legal holds): a tenant's admins see its
 * erasures; its admins and compliance officers see and release its legal holds.
 */
import { PrivacyErasure, PrivacyLegalHold } from '../models';
import type { Role } from '../shared/roles';
import { tenantAccess } from './core';

/** Who may ask for a person's erasure and follow it. */
export const ERASURE_ROLES: Role[] = ['tenant_admin'];
/** Who may place, release and list legal holds. */
export const LEGAL_HOLD_ROLES: Role[] = ['tenant_admin', 'compliance_officer'];

export const privacyErasureAccess = tenantAccess('Erasure', PrivacyErasure, ERASURE_ROLES);
export const legalHoldAccess = tenantAccess('Legal hold', PrivacyLegalHold, LEGAL_HOLD_ROLES);

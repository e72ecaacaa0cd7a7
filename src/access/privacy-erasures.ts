/**
 * Privacy (docs/privacy.md, Erasure, retention and legal holds): a tenant's admins see its
 * erasures; its admins and compliance officers see and release its legal holds.
 */
import { PrivacyErasure, PrivacyLegalHold } from '../models';
import { tenantAccess } from './core';
import { rolesOf } from './verbs';

export const privacyErasureAccess = tenantAccess('Erasure', PrivacyErasure, rolesOf('viewErasure'));
export const legalHoldAccess = tenantAccess('Legal hold', PrivacyLegalHold, rolesOf('listLegalHolds'));

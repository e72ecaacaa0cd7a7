/**
 * Compliance requirements and "remind now" runs: rows of a tenant that its compliance roles see
 * (and platform admins, through the platform view only: they have no tenant).
 */
import { ComplianceRemind, ComplianceRequirement } from '../models';
import { COMPLIANCE_ROLES } from './compliance';
import { tenantPolicy } from './core';

export const complianceRequirementPolicy = tenantPolicy('Compliance requirement', ComplianceRequirement, COMPLIANCE_ROLES);
export const complianceRemindPolicy = tenantPolicy('Remind', ComplianceRemind, COMPLIANCE_ROLES);

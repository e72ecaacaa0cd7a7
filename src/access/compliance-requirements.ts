/**
 * Compliance requirements and "remind now" runs: rows of a tenant that its compliance roles see
 * (and platform admins, through the platform view only: they have no tenant).
 */
import { ComplianceRemind, ComplianceRequirement } from '../models';
import { rolesOf } from './verbs';
import { tenantAccess } from './core';

export const complianceRequirementAccess = tenantAccess('Compliance requirement', ComplianceRequirement, rolesOf('viewRequirement'));
export const complianceRemindAccess = tenantAccess('Remind', ComplianceRemind, rolesOf('viewRemind'));

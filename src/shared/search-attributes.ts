/**
 * Typed search attributes every workflow upserts (docs/architecture.md). Imported by workflows, the API
 * client and the dev-server start-up, so the names are defined exactly once.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TenantId = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const BusinessStatus = defineSearchAttributeKey('BusinessStatus', SearchAttributeType.KEYWORD);
export const AssigneeId = defineSearchAttributeKey('AssigneeId', SearchAttributeType.KEYWORD);
export const DueAt = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);

export const ALL_SEARCH_ATTRIBUTES = [TenantId, BusinessStatus, AssigneeId, DueAt];

import Joi from 'joi';
import { PRIVACY_EXPORT_STATUSES } from '../../contracts/privacy-export';
import { object, required } from '../../shared/typed-schema';
import { tenantRowSchema, uuid } from '../http/common-schemas';

export const requestExportBody = object({
  userId: required(uuid).description('The person the export is about: the caller, or (tenant admins) any user of their tenant'),
}).label('RequestPrivacyExport');

export const downloadQuery = object({
  token: required(
    Joi.string()
      .max(100)
      .pattern(/^[A-Za-z0-9_-]+$/, 'base64url'),
  ).description('The token of the link POST /privacy/exports/:id/link answered'),
}).label('PrivacyExportDownload');

export const privacyExportSchema = tenantRowSchema('PrivacyExport', {
  userId: uuid.description('The person the export is about'),
  requestedById: uuid,
  status: Joi.string().valid(...PRIVACY_EXPORT_STATUSES),
  workflowId: Joi.string(),
  runId: Joi.string().allow(null),
  sizeBytes: Joi.number().integer().allow(null).description('Of the ZIP, once ready'),
  sha256: Joi.string().hex().length(64).allow(null).description('Of the ZIP, once ready'),
  fileCount: Joi.number().integer().allow(null),
  failureReason: Joi.string().allow(null),
  readyAt: Joi.date().allow(null),
  expiresAt: Joi.date().allow(null).description('When a ready export not downloaded is removed'),
  downloadedAt: Joi.date().allow(null),
  linkExpiresAt: Joi.date().allow(null).description('When the current download link runs out'),
});

export const exportLinkSchema = Joi.object({
  url: Joi.string().uri().description('Follow it once, within 15 minutes; it needs no other credential'),
  expiresAt: Joi.date(),
}).label('PrivacyExportLink');

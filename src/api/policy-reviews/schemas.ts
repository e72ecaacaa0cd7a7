import Joi from 'joi';
import { workflowRef } from '../common-schemas';
import { versionSchema } from '../compliance/schemas';

export const rejectVersionBody = Joi.object({
  reason: Joi.string().trim().min(1).max(1000).required().description('Told to the author; kept on the version'),
}).label('RejectPolicyVersion');

export const submittedVersionSchema = Joi.object({ version: versionSchema }).concat(workflowRef).label('SubmittedPolicyVersion');

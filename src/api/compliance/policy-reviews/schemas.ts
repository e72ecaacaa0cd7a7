import Joi from 'joi';
import { workflowRef } from '../../http/common-schemas';
import { versionSchema } from '../schemas';
import { object, required } from '../../../shared/typed-schema';

export const rejectVersionBody = object({
  reason: required(Joi.string().trim().min(1).max(1000).description('Told to the author; kept on the version')),
}).label('RejectPolicyVersion');

export const submittedVersionSchema = Joi.object({ version: versionSchema }).concat(workflowRef).label('SubmittedPolicyVersion');

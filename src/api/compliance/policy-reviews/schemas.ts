import Joi from 'joi';
import { multiLineText, workflowRef } from '../../http/common-schemas';
import { versionSchema } from '../schemas';
import { object, required } from '../../../shared/typed-schema';

export const rejectVersionBody = object({
  reason: required(multiLineText(1000).description('Told to the author; kept on the version')),
}).label('RejectPolicyVersion');

export const submittedVersionSchema = Joi.object({ version: versionSchema }).concat(workflowRef).label('SubmittedPolicyVersion');

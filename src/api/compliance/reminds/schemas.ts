import Joi from 'joi';
import { uuid, workflowRef } from '../../http/common-schemas';

export const remindSchema = Joi.object({
  id: uuid,
  versionId: uuid,
  requestedById: uuid,
  workflowId: Joi.string(),
  createdAt: Joi.date(),
  status: Joi.string().valid('running', 'completed').description('completed once nobody is left to remind'),
  total: Joi.number().integer().description('Open acknowledgements when the remind was asked'),
  done: Joi.number().integer().description('Handled so far: sent + skipped'),
  sent: Joi.number().integer(),
  skipped: Joi.number().integer().description('Closed (acknowledged, superseded…) before their turn: not reminded'),
}).label('ComplianceRemind');

export const remindStartedSchema = Joi.object({ remind: remindSchema }).concat(workflowRef).label('ComplianceRemindStarted');

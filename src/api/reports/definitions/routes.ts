/**
 * Saved reports (docs/reports.md, Saved reports): a tenant's report definitions, their changes as
 * commands (src/domain/reports/definitions.ts), a definition's run, answered exactly as its
 * report's route answers, its hand-over by a tenant admin, and the public route where an address
 * outside the staff confirms it wants a definition's report.
 */
import Joi from 'joi';
import type { Config } from '../../../config';
import { reportScheduleId } from '../../../contracts/scheduled-report';
import { createReportDefinition, deleteReportDefinition, updateReportDefinition } from '../../../domain/reports/definitions';
import { handOverReportDefinition } from '../../../domain/reports/ownership';
import { confirmReportRecipient } from '../../../domain/reports/recipients';
import { runSavedReport, savedReportTable } from '../../../domain/reports/saved';
import { ReportDefinition } from '../../../models';
import { findVisible } from '../../../access/core';
import { reportDefinitionAccess } from '../../../access/reports';
import { recipientStates, recipientStatesOf, type RecipientState } from '../../../domain/reports/recipient-links';
import { idParams } from '../../http/common-schemas';
import { sendTable, wantsCsv } from '../../http/csv';
import { rateLimit } from '../../http/middleware/rate-limit';
import { deleteOperationRoute, operation, operationRoute } from '../../http/operation';
import { createRoute, updateRoute } from '../../http/write-route';
import { route, RouteSpec, tagged } from '../../http/route';
import { findRoute, listRoute } from '../../http/row-route';
import { TENANT_REPORT_SCHEMAS } from '../schemas';
import {
  confirmedRecipientSchema,
  confirmRecipientBody,
  createDefinitionBody,
  definitionSchema,
  handOverBody,
  listDefinitionsQuery,
  runDefinitionQuery,
  updateDefinitionBody,
} from './schemas';

const view = (row: ReportDefinition, recipientStatuses: RecipientState[]) => ({
  ...row.toJSON(),
  recipientStatuses,
  scheduleId: row.schedule === null ? null : reportScheduleId(row.id),
});

/** One definition as the API shows it, with whether each recipient receives it. */
const viewOf = async (row: ReportDefinition) => view(row, await recipientStatesOf(row));

export function reportDefinitionRoutes(config: Config): RouteSpec[] {
  // The confirmation link is a token anyone may try: counted per client address, as the auth routes are.
  const confirmLimit = rateLimit({ name: 'report-recipient-ip', points: config.rateLimit.authPerMinute, durationSeconds: 60 });
  return tagged('reports', [
    listRoute({
      path: '/reports/definitions',
      summary: 'The tenant’s saved reports of the kinds the caller’s role may see',
      verb: 'listReportDefinitions',
      model: ReportDefinition,
      access: reportDefinitionAccess,
      query: listDefinitionsQuery,
      schema: definitionSchema,
      // ?kind= narrows the kinds the role may see; a kind outside them answers an empty page, as one with no definitions.
      filters: ['kind'],
      present: async (rows) => {
        const states = await recipientStates(rows);
        return rows.map((row) => view(row, states.get(row.id)!));
      },
    }),
    createRoute(
      operation({ name: 'reports.saveDefinition', verb: 'saveReportDefinition', body: createDefinitionBody, run: createReportDefinition }),
      {
        path: '/reports/definitions',
        summary:
          'Save a report: its kind and parameters, recipients and an optional cron schedule (in the tenant’s time zone), which a Temporal Schedule report-<id> follows',
        schema: definitionSchema,
        view: viewOf,
      },
    ),
    findRoute({
      path: '/reports/definitions/:id',
      summary: 'One saved report',
      verb: 'viewReportDefinition',
      access: reportDefinitionAccess,
      schema: definitionSchema,
      view: viewOf,
    }),
    updateRoute(
      operation({
        name: 'reports.changeDefinition',
        verb: 'changeReportDefinition',
        params: idParams,
        body: updateDefinitionBody,
        run: (caller, { id, ...change }, deps) => updateReportDefinition(caller, { id, change }, deps),
      }),
      {
        method: 'put',
        path: '/reports/definitions/:id',
        summary: 'Change the given fields of a saved report (paused: true pauses its schedule, false resumes it); its schedule follows',
        schema: definitionSchema,
        view: viewOf,
      },
    ),
    updateRoute(
      operation({
        name: 'reports.handOverDefinition',
        verb: 'handOverReportDefinition',
        params: idParams,
        body: handOverBody,
        run: handOverReportDefinition,
      }),
      {
        method: 'put',
        path: '/reports/definitions/:id/owner',
        summary:
          'Hand a saved report over to another active user of the tenant whose role may see its report (a tenant admin); a definition paused because its owner lost that stays paused until resumed',
        schema: definitionSchema,
        view: viewOf,
      },
    ),
    operationRoute(
      operation({ name: 'reports.confirmRecipient', verb: 'public', body: confirmRecipientBody, run: confirmReportRecipient }),
      {
        method: 'post',
        path: '/reports/recipients/confirm',
        summary:
          'Confirm, with the token mailed to it (single use), that an address wants a saved report: it receives the report from its next delivery on',
        before: [confirmLimit],
        response: { status: 200, schema: confirmedRecipientSchema },
      },
    ),
    deleteOperationRoute(
      operation({ name: 'reports.deleteDefinition', verb: 'deleteReportDefinition', params: idParams, run: deleteReportDefinition }),
      { path: '/reports/definitions/:id', summary: 'Delete a saved report and its schedule' },
    ),
    route({
      method: 'get',
      path: '/reports/definitions/:id/run',
      summary:
        'Run a saved report now: its report as GET /reports/<kind> answers it with the saved parameters; as CSV with Accept: text/csv or ?format=csv',
      verb: 'runReportDefinition',
      params: idParams,
      query: runDefinitionQuery,
      response: {
        status: 200,
        schema: Joi.alternatives(...Object.values(TENANT_REPORT_SCHEMAS)).label('SavedReportRun'),
        alsoCsv: true,
      },
      handler: async (ctx) => {
        const definition = await findVisible(ctx.state.user, reportDefinitionAccess, ctx.state.input.params.id);
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, ctx.state.input.query.format)) {
          return sendTable(ctx, await savedReportTable(sequelize, definition, new Date()));
        }
        ctx.body = await runSavedReport(sequelize, definition, new Date());
      },
    }),
  ]);
}

/**
 * When the escalation of a claim's current stage falls due, as its run computed it in business
 * time (docs/calendars.md): the inbox, the SLA breach report and its CSV read it instead of adding
 * wall-clock hours to `stage_entered_at`. Null for a stage counted in calendar time (the report
 * adds the tenant's hours as before). `escalation_due_for` is when the stay it was computed for
 * began: the run may compute it before the stage change is written, so the trigger that records a
 * stage change keeps it only for the stay it names, and a value never outlives its stay.
 */
import { DataTypes } from 'sequelize';
import { concurrentIndexes, type MigrationFn } from './helpers';

const STAGE_CHANGE = (row: string) => `${row}.from_status IS DISTINCT FROM ${row}.to_status`;

/** 0030's trigger function, with the escalation's due instant kept or cleared alongside (`extra`). */
const stageEnteredFunction = (extra: string) => `CREATE OR REPLACE FUNCTION claim_stage_entered() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF ${STAGE_CHANGE('NEW')} THEN
      UPDATE claims SET stage_entered_at = NEW.occurred_at${extra}
       WHERE id = NEW.claim_id AND NOT EXISTS (
         SELECT 1 FROM claim_history later
          WHERE later.claim_id = NEW.claim_id AND later.sequence > NEW.sequence AND ${STAGE_CHANGE('later')});
    END IF;
    RETURN NULL;
  END $$`;

// The breach counts read the due instant from the index alone, as they read the stage's entry before.
const WITH_DUE = concurrentIndexes([
  ['claims_tenant_status_stage_due', 'claims (tenant_id, status, stage_entered_at) INCLUDE (escalation_due_at)'],
]);
const REPLACED = concurrentIndexes([['claims_tenant_status_stage_entered_at', 'claims (tenant_id, status, stage_entered_at)']]);

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('claims', 'escalation_due_at', { type: DataTypes.DATE });
  await qi.addColumn('claims', 'escalation_due_for', { type: DataTypes.DATE });
  await qi.sequelize.query(
    stageEnteredFunction(', escalation_due_at = CASE WHEN escalation_due_for = NEW.occurred_at THEN escalation_due_at END'),
  );
  await WITH_DUE.up(qi);
  await REPLACED.down(qi);
};

export const down: MigrationFn = async (qi) => {
  await REPLACED.up(qi);
  await WITH_DUE.down(qi);
  await qi.sequelize.query(stageEnteredFunction(''));
  await qi.removeColumn('claims', 'escalation_due_for');
  await qi.removeColumn('claims', 'escalation_due_at');
};

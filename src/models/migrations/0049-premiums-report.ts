/** A saved report may be of the premiums kind too (docs/reports.md, Premiums). */
import type { MigrationFn } from './helpers';

const kindCheck = (kinds: string[]) =>
  `ALTER TABLE report_definitions DROP CONSTRAINT report_definitions_kind,
     ADD CONSTRAINT report_definitions_kind CHECK (kind IN (${kinds.map((kind) => `'${kind}'`).join(', ')}))`;

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(kindCheck(['claims', 'policies', 'compliance', 'premiums']));
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query(`DELETE FROM report_definitions WHERE kind = 'premiums'`);
  await qi.sequelize.query(kindCheck(['claims', 'policies', 'compliance']));
};

/**
 * The acknowledgements of a version's attestation cycle by status, with their IDs: the compliance
 * report (and a requirement's progress, and the platform report's requirement status) counts each
 * published version's current cycle from this index alone, and reaches the rows its escalation
 * alerts name without reading the table (docs/reports.md, Indexes). Built concurrently: a rollout
 * writes acknowledgements by the thousand.
 */
import { concurrentIndexes } from './helpers';

export const { up, down } = concurrentIndexes([
  ['acknowledgements_version_cycle_status', 'acknowledgements (version_id, cycle, status) INCLUDE (id)'],
]);

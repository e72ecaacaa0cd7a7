/**
 * The append-only rule of audit_events (0011), as 0036 made it: an UPDATE goes through only on a counted
 * sign-in failure's row, whose `occurrences` grows and `last_occurred_at` does not go back, every other
 * column as it was. With `sealing` (0059 on), also the seal of a new row: its chain columns set once.
 */
export function auditAppendOnly(sealing: boolean): string {
  return `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND OLD.last_occurred_at IS NOT NULL
      AND NEW.occurrences > OLD.occurrences
      AND NEW.last_occurred_at >= OLD.last_occurred_at
      AND to_jsonb(NEW) - 'occurrences' - 'last_occurred_at' = to_jsonb(OLD) - 'occurrences' - 'last_occurred_at'
    THEN
      RETURN NEW;
    END IF;${
      sealing
        ? `
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
      AND to_jsonb(NEW) - 'chain_position' - 'previous_hash' - 'hash' = to_jsonb(OLD) - 'chain_position' - 'previous_hash' - 'hash'
    THEN
      RETURN NEW;
    END IF;`
        : ''
    }
    RAISE EXCEPTION 'audit_events is append-only';
  END $$`;
}

/**
 * A PATCH or PUT of the row at the path's `:id` runs an update command (src/domain/command.ts),
 * which takes the row's `id` apart from the `fields` to change; an operation's input is the path's
 * parameters and the body merged (src/api/http/operation.ts). `updateRun` takes them apart again.
 */
import type { Command } from '../../domain/command';

export function updateRun<F extends object, R>(command: Command<{ id: string; fields: F }, R>): Command<{ id: string } & F, R> {
  // The body names no `id` (the path's): what is left is the fields, which TypeScript cannot see of a generic type.
  return (caller, { id, ...fields }, deps) => command(caller, { id, fields: fields as F }, deps);
}

/**
 * The access rules' two refusals. The rules sit below the API (docs/architecture.md, Processes
 * and layers), so it says what it refuses and the API's error handler answers it with the API's
 * error factory: NotVisible as 404, exactly like a missing row, NotPermitted as 403.
 */
export class NotVisible extends Error {
  /** `resource` names the row's kind in the 404 answer ("Claim not found"). */
  constructor(readonly resource: string) {
    super(`${resource} not found`);
  }
}

export class NotPermitted extends Error {
  /** `reason` replaces the 403 answer's default message when the caller needs to know why. */
  constructor(readonly reason?: string) {
    super(reason ?? 'not permitted');
  }
}

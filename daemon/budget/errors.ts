// Errors of the battery-budget part. Every one carries a stable `code` so callers (the CLI, the
// daemon's config loader) can tell them apart without parsing messages.

export type BudgetErrorCode =
  | 'BAD_UNIT' // a quantity string that does not parse (CLI edge: `--battery 220mAh@3.0V`)
  | 'BAD_CURVE' // a voltage-to-charge table that is not monotonic or out of range
  | 'BAD_BATTERY' // capacity, usable fraction, voltage or baseline out of range
  | 'BAD_MODES' // an operating-mode table that cannot drive the controller
  | 'NO_ENERGY' // the mode table has no measured energy yet (energyUj null)
  | 'BAD_TARGET'; // a target that cannot be met by construction (end before start, ...)

export class BudgetError extends Error {
  readonly code: BudgetErrorCode;
  constructor(code: BudgetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BudgetError';
    this.code = code;
  }
}

/**
 * A money amount as every language's messages write it: the variable `amount` names, with as many
 * decimals as its currency has, chosen by the mail's `decimals` (`0` JPY, `3` KWD, `2` else;
 * minorUnitDigits in src/shared/money.ts), without grouping ("250000", the language's decimal
 * separator). Every amount of one mail is in one currency, so one `decimals` serves them all.
 * `other` is two decimals: a mail without `decimals` (a run started before its amounts carried
 * them) is rendered with `2` (render.ts), as it was then.
 */
export const money = (amount: string): string =>
  `{decimals, select, 0 {{${amount}, number, ::precision-integer group-off}} 3 {{${amount}, number, ::.000 group-off}} other {{${amount}, number, ::.00 group-off}}}`;

/**
 * How a claim payment counts in the figures (docs/claim-money.md, Figures), as the two columns
 * `outstanding, paid` of a payment row `p`: a payment asked for or approved has left its reserve
 * line but not the company, so it is still outstanding; an issued or cleared one is paid; a voided
 * or failed one gave its amount back to the line and counts nowhere.
 */
export const PAYMENT_FIGURES = `CASE WHEN p.status IN ('requested', 'approved') THEN p.amount ELSE 0 END,
       CASE WHEN p.status IN ('issued', 'cleared') THEN p.amount ELSE 0 END`;

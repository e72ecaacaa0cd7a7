/**
 * The words of the policy schedule (schedule-document.ts) in each language the e-mails speak
 * (src/shared/notification-settings.ts LOCALES): the holder reads their schedule in the language
 * their e-mails come in.
 */
import type { BillingFrequency } from '../../shared/instalments';
import type { Locale } from '../../shared/notification-settings';

export interface ScheduleTexts {
  title: string;
  versionLine: (number: number, effectiveFrom: string) => string;
  policyholder: string;
  policyNumber: string;
  period: string;
  periodRange: (start: string, end: string) => string;
  propertyAddress: string;
  noAddress: string;
  plan: string;
  sumInsured: string;
  deductible: string;
  noDeductible: string;
  premium: string;
  perTerm: (frequency: BillingFrequency) => string;
  instalments: string;
  dueDate: string;
  amount: string;
  asIssued: string;
  changeFrom: (effectiveFrom: string) => string;
  changeHeading: string;
  changedFields: string;
  fieldNames: Record<string, string>;
  premiumBefore: string;
  premiumAfter: string;
  additionalPremium: string;
  returnPremium: string;
  noPremiumEffect: string;
  issuedBy: (insurer: string, createdOn: string) => string;
  /** The heading of a quoted premium's breakdown, and one step of it (its label, and the factor it applied if it multiplied). */
  breakdownHeading: string;
  breakdownStep: (label: string, factor?: string) => string;
}

const FREQUENCY_EN: Record<BillingFrequency, string> = {
  annual: 'in one annual instalment',
  semiannual: 'in half-yearly instalments',
  quarterly: 'in quarterly instalments',
  monthly: 'in monthly instalments',
};

const FREQUENCY_DE: Record<BillingFrequency, string> = {
  annual: 'in einer Jahresrate',
  semiannual: 'in halbjährlichen Raten',
  quarterly: 'in vierteljährlichen Raten',
  monthly: 'in monatlichen Raten',
};

export const SCHEDULE_TEXTS: Record<Locale, ScheduleTexts> = {
  en: {
    title: 'Policy schedule',
    versionLine: (number, effectiveFrom) => `Version ${number}, effective from ${effectiveFrom}`,
    policyholder: 'Policyholder',
    policyNumber: 'Policy number',
    period: 'Period of insurance',
    periodRange: (start, end) => `${start} to ${end} (end date excluded)`,
    propertyAddress: 'Insured property',
    noAddress: 'not given',
    plan: 'Plan',
    sumInsured: 'Sum insured',
    deductible: 'Deductible',
    noDeductible: 'none',
    premium: 'Premium for the period',
    perTerm: (frequency) => `payable ${FREQUENCY_EN[frequency]}`,
    instalments: 'Instalments of the period',
    dueDate: 'Due date',
    amount: 'Amount',
    asIssued: 'premium of the period',
    changeFrom: (effectiveFrom) => `change effective ${effectiveFrom}`,
    changeHeading: 'This version changes the policy',
    changedFields: 'Changed',
    fieldNames: {
      planId: 'plan',
      coverageAmount: 'sum insured',
      premium: 'premium',
      propertyAddress: 'insured property',
      holderPhone: 'phone number',
    },
    premiumBefore: 'Premium before the change',
    premiumAfter: 'Premium after the change',
    additionalPremium: 'Additional premium for the rest of the period',
    returnPremium: 'Return premium for the rest of the period',
    noPremiumEffect: 'The change does not alter the premium.',
    issuedBy: (insurer, createdOn) => `Issued by ${insurer} on ${createdOn}.`,
    breakdownHeading: 'How the premium was priced',
    breakdownStep: (label, factor) => (factor ? `${label} (factor ${factor})` : label),
  },
  de: {
    title: 'Versicherungsschein',
    versionLine: (number, effectiveFrom) => `Fassung ${number}, gültig ab ${effectiveFrom}`,
    policyholder: 'Versicherungsnehmer',
    policyNumber: 'Versicherungsscheinnummer',
    period: 'Versicherungszeitraum',
    periodRange: (start, end) => `${start} bis ${end} (Enddatum ausgenommen)`,
    propertyAddress: 'Versichertes Objekt',
    noAddress: 'nicht angegeben',
    plan: 'Tarif',
    sumInsured: 'Versicherungssumme',
    deductible: 'Selbstbehalt',
    noDeductible: 'keiner',
    premium: 'Beitrag für den Zeitraum',
    perTerm: (frequency) => `zahlbar ${FREQUENCY_DE[frequency]}`,
    instalments: 'Raten des Zeitraums',
    dueDate: 'Fällig am',
    amount: 'Betrag',
    asIssued: 'Beitrag des Zeitraums',
    changeFrom: (effectiveFrom) => `Änderung gültig ab ${effectiveFrom}`,
    changeHeading: 'Diese Fassung ändert den Vertrag',
    changedFields: 'Geändert',
    fieldNames: {
      planId: 'Tarif',
      coverageAmount: 'Versicherungssumme',
      premium: 'Beitrag',
      propertyAddress: 'versichertes Objekt',
      holderPhone: 'Telefonnummer',
    },
    premiumBefore: 'Beitrag vor der Änderung',
    premiumAfter: 'Beitrag nach der Änderung',
    additionalPremium: 'Mehrbeitrag für den Rest des Zeitraums',
    returnPremium: 'Beitragserstattung für den Rest des Zeitraums',
    noPremiumEffect: 'Die Änderung ändert den Beitrag nicht.',
    issuedBy: (insurer, createdOn) => `Ausgestellt von ${insurer} am ${createdOn}.`,
    breakdownHeading: 'So wurde der Beitrag berechnet',
    breakdownStep: (label, factor) => (factor ? `${label} (Faktor ${factor})` : label),
  },
};

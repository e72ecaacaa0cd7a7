/**
 * A person's own words inside a workflow payload, marked so the data converter seals them with
 * that person's data key (src/services/person-data-codec.ts) before they reach Temporal's history,
 * and so destroying the key erases them there (docs/privacy.md, Personal data in workflow
 * histories). Workflow code passes the marked value along and never reads `personal` itself.
 */

/** The name of the field that marks an object as a person's data: the codec looks for it in payloads. */
export const DATA_SUBJECT_FIELD = 'dataSubjectId';

/** `personal`, belonging to the user `dataSubjectId`, as the application handles it. */
export interface PersonalData<T> {
  dataSubjectId: string;
  personal: T;
}

/** What a marked value decodes to once its person's key was destroyed: the value is gone for good. */
export interface ErasedPersonalData {
  dataSubjectId: string;
  personal: null;
  erased: true;
}

export type MarkedPersonalData<T> = PersonalData<T> | ErasedPersonalData;

export const personalData = <T>(dataSubjectId: string, personal: T): PersonalData<T> => ({ dataSubjectId, personal });

export const erasedPersonalData = (dataSubjectId: string): ErasedPersonalData => ({ dataSubjectId, personal: null, erased: true });

export function isMarkedPersonalData(value: unknown): value is MarkedPersonalData<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[DATA_SUBJECT_FIELD] === 'string' &&
    'personal' in value
  );
}

/**
 * The plain value of a field that is either marked or, as payloads written before marking carry
 * it, plain; null once erased.
 */
export function personalValue<T>(value: T | MarkedPersonalData<T>): T | null {
  return isMarkedPersonalData(value) ? (value.personal as T | null) : value;
}

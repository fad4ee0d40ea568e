/**
 * A contact's References (StartWebRTCContact; ListContactReferences reads them back). At
 * creation a contact takes URL, NUMBER, STRING, DATE (epoch seconds) and EMAIL references;
 * ATTACHMENT ones come only from an uploaded file, and the email and analysis kinds only from
 * Amazon Connect itself. All names and values together hold at most 4,096 UTF-8 bytes.
 */
import type { Reference, ReferenceSummary, ReferenceType } from '../../generated/connect/shapes.ts';
import { InvalidParameterException } from '../../generated/connect/errors.ts';

/** The documented limit on a contact's references, names and values together. */
export const REFERENCES_MAX_BYTES = 4096;

const CHECKS: Partial<Record<ReferenceType, (value: string) => string | undefined>> = {
  URL: (v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol) ? undefined : 'is not an http(s) URL';
    } catch {
      return 'is not a URL';
    }
  },
  NUMBER: (v) => (v.trim() !== '' && Number.isFinite(Number(v)) ? undefined : 'is not a number'),
  STRING: () => undefined,
  DATE: (v) => (/^\d{1,12}$/.test(v) ? undefined : 'is not a date in epoch seconds'),
  EMAIL: (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? undefined : 'is not an email address'),
};

/** Checks the References of a new contact; throws InvalidParameterException naming the first problem. */
export function checkReferences(references: Record<string, Reference>): void {
  let bytes = 0;
  for (const [name, ref] of Object.entries(references)) {
    const check = CHECKS[ref.Type];
    if (!check) {
      throw new InvalidParameterException(
        ref.Type === 'ATTACHMENT'
          ? `Reference ${name}: ATTACHMENT references cannot be added when a contact starts`
          : `Reference ${name}: a contact cannot start with a ${ref.Type} reference`,
      );
    }
    const problem = check(ref.Value ?? '');
    if (problem) throw new InvalidParameterException(`Reference ${name}: its Value ${problem}`);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(ref.Value ?? '');
  }
  if (bytes > REFERENCES_MAX_BYTES) {
    throw new InvalidParameterException(
      `References hold ${bytes} bytes; a contact's references hold at most ${REFERENCES_MAX_BYTES}`,
    );
  }
}

const SUMMARY_MEMBER: Partial<Record<ReferenceType, keyof ReferenceSummary>> = {
  URL: 'Url',
  NUMBER: 'Number',
  STRING: 'String',
  DATE: 'Date',
  EMAIL: 'Email',
};

/** ListContactReferences' summaries of the contact's references of the types asked for. */
export function referenceSummaries(
  references: Record<string, Reference>,
  types: ReferenceType[],
): ReferenceSummary[] {
  const wanted = new Set(types);
  return Object.entries(references).flatMap(([name, ref]) => {
    const member = SUMMARY_MEMBER[ref.Type];
    return member && wanted.has(ref.Type) ? [{ [member]: { Name: name, Value: ref.Value } }] : [];
  });
}

/**
 * Contact attributes: user-defined string pairs shared by the API and flows. Amazon Connect
 * allows keys of letters, digits, `-` and `_`, and at most 32,768 UTF-8 bytes over all keys
 * and values of a contact.
 */
import { InvalidParameterException } from '../../generated/connect/errors.ts';

export const MAX_ATTRIBUTE_BYTES = 32_768;
const KEY = /^[A-Za-z0-9_-]+$/;

export function attributeBytes(attributes: Record<string, string>): number {
  let total = 0;
  for (const [k, v] of Object.entries(attributes)) total += Buffer.byteLength(k) + Buffer.byteLength(v);
  return total;
}

/** Throws unless every key is well-formed and the whole map fits the per-contact limit. */
export function checkAttributes(attributes: Record<string, string>): void {
  for (const key of Object.keys(attributes)) {
    if (!KEY.test(key)) {
      throw new InvalidParameterException(
        `Attribute key '${key}' is invalid: keys may contain only letters, digits, '-' and '_'`,
      );
    }
  }
  const bytes = attributeBytes(attributes);
  if (bytes > MAX_ATTRIBUTE_BYTES) {
    throw new InvalidParameterException(
      `Contact attributes total ${bytes} UTF-8 bytes; the limit is ${MAX_ATTRIBUTE_BYTES} per contact`,
    );
  }
}

/** The update rule: keys are created or replaced, and an empty value removes the key. */
export function mergeAttributes(
  current: Record<string, string>,
  update: Record<string, string>,
): Record<string, string> {
  // A Map, not object assignment: a key named "__proto__" is an attribute like any other.
  const merged = new Map(Object.entries(current));
  for (const [k, v] of Object.entries(update)) {
    if (v === '') merged.delete(k);
    else merged.set(k, v);
  }
  return Object.fromEntries(merged);
}

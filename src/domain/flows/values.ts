/**
 * Dynamic values: the `$.…` references of the flow language, alone (a "single JSONPath") or
 * inside a sentence ("Hi $.Attributes.firstName"). Only the JSONPath subset flows use is
 * understood: `$.` then dot-separated names, or bracketed quoted names (`$.Attributes['a b']`).
 * A reference starts with `$.` and a letter, so "$.50" or "US$" in a sentence stay text.
 */
import type { ContactView, RunState } from './types.ts';

const NAME = /[A-Za-z0-9_-]/;
const ROOT_START = /[A-Za-z]/;

/** The data a reference reads: the contact plus what the run keeps. */
export interface RunData {
  contact: ContactView;
  run: Pick<RunState, 'flowAttributes' | 'external' | 'storedInput'>;
}

/** Parses a reference starting at `start` ("$." included); returns its path and where it ends. */
export function parseReference(text: string, start: number): { path: string[]; end: number } | undefined {
  if (!text.startsWith('$.', start) || !ROOT_START.test(text.charAt(start + 2))) return undefined;
  const path: string[] = [];
  let i = start + 1;
  while (i < text.length) {
    // `$.Attributes.['a b']`: a dot before the bracket is accepted too.
    const b = text[i] === '.' && text[i + 1] === '[' ? i + 1 : i;
    const quote = text[b] === '[' ? text.charAt(b + 1) : '';
    if (quote === "'" || quote === '"') {
      const close = text.indexOf(`${quote}]`, b + 2);
      if (close < 0) break;
      path.push(text.slice(b + 2, close));
      i = close + 2;
    } else if (text[i] === '.' && NAME.test(text.charAt(i + 1))) {
      let j = i + 1;
      while (j < text.length && NAME.test(text[j])) j++;
      path.push(text.slice(i + 1, j));
      i = j;
    } else {
      break;
    }
  }
  return path.length > 0 ? { path, end: i } : undefined;
}

/** True when the whole value is exactly one reference. */
export function isSingleReference(value: string): boolean {
  return parseReference(value, 0)?.end === value.length;
}

/** True when the value contains a reference anywhere. */
export function hasReference(value: string): boolean {
  for (let i = value.indexOf('$.'); i >= 0; i = value.indexOf('$.', i + 1)) {
    if (parseReference(value, i)) return true;
  }
  return false;
}

function own(record: unknown, key: string): unknown {
  // Own keys only: "$.Attributes.constructor" must not reach Object.prototype.
  return record && typeof record === 'object' && Object.hasOwn(record, key)
    ? (record as Record<string, unknown>)[key]
    : undefined;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The value a path names, or undefined when it names nothing (or an object). */
export function resolvePath(path: string[], data: RunData): string | undefined {
  const { contact, run } = data;
  const [root, ...rest] = path;
  const one = rest.length === 1 ? rest[0] : undefined;
  switch (root) {
    case 'Channel':
    case 'ContactId':
    case 'InitialContactId':
    case 'PreviousContactId':
    case 'Name': {
      const fields: Record<string, string | undefined> = {
        Channel: contact.channel,
        ContactId: contact.contactId,
        InitialContactId: contact.initialContactId,
        PreviousContactId: contact.previousContactId,
        Name: contact.name,
      };
      return rest.length === 0 ? fields[root] : undefined;
    }
    case 'CustomerEndpoint':
      return one === 'Address' ? contact.customerEndpoint?.address : undefined;
    case 'SystemEndpoint':
      return one === 'Address' ? contact.systemEndpoint?.address : undefined;
    case 'Queue':
      if (one === 'Name') return contact.queue?.name;
      return one === 'ARN' ? contact.queue?.arn : undefined;
    case 'StoredCustomerInput':
      return rest.length === 0 ? run.storedInput : undefined;
    case 'Attributes':
      return one === undefined ? undefined : scalar(own(contact.attributes, one));
    case 'FlowAttributes':
      return one === undefined ? undefined : scalar(own(run.flowAttributes, one));
    case 'External': {
      // Lambda results may be JSON (ResponseType JSON), so External paths may go deeper.
      let node: unknown = run.external;
      for (const key of rest) node = own(node, key);
      return rest.length === 0 ? undefined : scalar(node);
    }
    default:
      return undefined;
  }
}

/**
 * Replaces every reference in a sentence by its value. Decision (interpolation rules are
 * unverified): a reference that names nothing becomes "", so a greeting degrades to "Hi ".
 */
export function interpolate(text: string, data: RunData): string {
  let out = '';
  let from = 0;
  for (let i = text.indexOf('$.'); i >= 0; i = text.indexOf('$.', i + 1)) {
    if (i < from) continue;
    const ref = parseReference(text, i);
    if (!ref) continue;
    out += text.slice(from, i) + (resolvePath(ref.path, data) ?? '');
    from = ref.end;
  }
  return out + text.slice(from);
}

/**
 * A parameter that is "fully static or a single JSONPath": static text is itself; a reference
 * is its value, and undefined when it names nothing (the caller makes that NoMatchingError).
 */
export function staticOrReference(value: string, data: RunData): string | undefined {
  if (!isSingleReference(value)) return value;
  const ref = parseReference(value, 0);
  return ref && resolvePath(ref.path, data);
}

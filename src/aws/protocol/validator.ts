/**
 * Reads a JSON value against a model shape: converts it to the handler's types (timestamps to
 * Date) and checks every constraint the model declares (required, length, range, pattern,
 * enum, list and map sizes). Two kinds of failure, as AWS services report them:
 * - the value has the wrong JSON type: SerializationException, at once;
 * - the value violates a constraint: all violations are collected and reported together in
 *   the Coral wording ("2 validation errors detected: Value … at '…' failed to satisfy
 *   constraint: …") as the service's constraint error.
 */
import type { MemberRef, ServiceModel, Shape } from './model.ts';
import { protocolErrors } from '../service-error.ts';

export type Violations = string[];

const patternCache = new Map<string, RegExp | null>();

function compilePattern(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      // Model patterns are not implicitly anchored (Smithy semantics): test, not full match.
      // Malformed ones in the official models are fixed in spec/patches, not here.
      re = new RegExp(pattern, 'u');
    } catch {
      re = null; // a Java-only construct: the constraint cannot be checked here
    }
    patternCache.set(pattern, re);
  }
  return re;
}

const lowerFirst = (s: string): string => s[0].toLowerCase() + s.slice(1);

/** "Value 'x' at 'path'", without the value for sensitive shapes (passwords never echo back). */
function valueAt(shape: Shape, value: unknown, path: string): string {
  return shape.sensitive ? `Value at '${path}'` : `Value '${show(value)}' at '${path}'`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

function typeError(path: string, expected: string): never {
  throw protocolErrors.serialization(`Expected ${expected} at '${path}'`);
}

/**
 * Deepest nesting of structures, lists and maps a request may have. Recursive shapes
 * (SegmentAttributeValue) could otherwise nest until the reader overflows the stack (a 500),
 * or store a value that every later serialization of the contact fails on.
 */
export const MAX_NESTING = 64;

export class ShapeReader {
  readonly model: ServiceModel;
  #depth = 0;

  constructor(model: ServiceModel) {
    this.model = model;
  }

  /** Reads `value` (already parsed JSON, or a string from a URI, query or header) as `shapeName`. */
  read(shapeName: string, value: unknown, path: string, violations: Violations, fromString = false): unknown {
    const shape = this.model.shapes[shapeName];
    if (shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map') {
      return this.readShape(shape, value, path, violations, fromString);
    }
    if (this.#depth >= MAX_NESTING) {
      throw protocolErrors.serialization(`Request nests deeper than ${MAX_NESTING} levels at '${path}'`);
    }
    this.#depth++;
    try {
      return this.readShape(shape, value, path, violations, fromString);
    } finally {
      this.#depth--;
    }
  }

  private readShape(
    shape: Shape,
    value: unknown,
    path: string,
    violations: Violations,
    fromString: boolean,
  ): unknown {
    switch (shape.type) {
      case 'structure':
        return this.readStructure(shape, value, path, violations);
      case 'list': {
        if (!Array.isArray(value)) typeError(path, 'a list');
        this.checkSize(shape, value.length, value, path, violations);
        return value.map((item, i) =>
          this.read(shape.member!.shape, item, `${path}.${i + 1}.member`, violations, fromString),
        );
      }
      case 'map': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(path, 'a map');
        const out: Record<string, unknown> = {};
        const entries = Object.entries(value as Record<string, unknown>);
        this.checkSize(shape, entries.length, value, path, violations);
        for (const [k, v] of entries) {
          if (v === null) continue;
          const key = this.read(shape.key!.shape, k, `${path}.key`, violations) as string;
          // defineProperty, not `out[key] =`: a key named "__proto__" would set the prototype and vanish.
          Object.defineProperty(out, key, {
            value: this.read(shape.value!.shape, v, `${path}.${k}.value`, violations),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
      case 'string': {
        if (typeof value !== 'string') typeError(path, 'a string');
        this.checkString(shape, value, path, violations);
        return value;
      }
      case 'integer':
      case 'long': {
        const n = fromString && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
        if (typeof n !== 'number' || !Number.isInteger(n)) typeError(path, 'an integer');
        this.checkRange(shape, n, path, violations);
        return n;
      }
      case 'double':
      case 'float': {
        const n = fromString && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof n !== 'number' || Number.isNaN(n)) typeError(path, 'a number');
        this.checkRange(shape, n, path, violations);
        return n;
      }
      case 'boolean': {
        if (fromString && (value === 'true' || value === 'false')) return value === 'true';
        if (typeof value !== 'boolean') typeError(path, 'a boolean');
        return value;
      }
      case 'timestamp': {
        const date =
          typeof value === 'number'
            ? new Date(value * 1000)
            : typeof value === 'string' && fromString && /^\d+(\.\d+)?$/.test(value)
              ? new Date(Number(value) * 1000)
              : typeof value === 'string'
                ? new Date(value)
                : undefined;
        if (!date || Number.isNaN(date.getTime())) typeError(path, 'a timestamp');
        return date;
      }
      case 'blob': {
        if (typeof value !== 'string') typeError(path, 'a base64 string');
        return Buffer.from(value, 'base64');
      }
    }
  }

  readStructure(shape: Shape, value: unknown, path: string, violations: Violations): unknown {
    const out = this.readMembers(shape, value, path, violations, false);
    this.checkRequired(shape, out, path, violations);
    return out;
  }

  /**
   * Reads a structure's members without checking required ones; with bodyOnly, members bound
   * to the URI, query or headers are skipped (the parser reads those from the request).
   */
  readMembers(
    shape: Shape,
    value: unknown,
    path: string,
    violations: Violations,
    bodyOnly: boolean,
  ): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      typeError(path || 'body', 'a structure');
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (bodyOnly && ref.location) continue;
      const v = input[name];
      if (v === undefined || v === null) continue;
      out[name] = this.read(
        ref.shape,
        v,
        path ? `${path}.${lowerFirst(name)}` : lowerFirst(name),
        violations,
      );
    }
    if (shape.union && Object.keys(out).length > 1) {
      violations.push(
        `Value at '${path}' failed to satisfy constraint: Union must have exactly one member set`,
      );
    }
    return out;
  }

  checkRequired(shape: Shape, out: Record<string, unknown>, path: string, violations: Violations): void {
    for (const name of shape.required ?? []) {
      if (out[name] === undefined) {
        violations.push(
          `Value null at '${path ? `${path}.` : ''}${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
        );
      }
    }
  }

  private checkString(shape: Shape, value: string, path: string, violations: Violations): void {
    if (shape.min !== undefined && value.length < shape.min) {
      violations.push(
        `${valueAt(shape, value, path)} failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
      );
    }
    if (shape.max !== undefined && value.length > shape.max) {
      violations.push(
        `${valueAt(shape, value, path)} failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
      );
    }
    if (shape.enum && !shape.enum.includes(value)) {
      violations.push(
        `${valueAt(shape, value, path)} failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`,
      );
    }
    if (shape.pattern) {
      const re = compilePattern(shape.pattern);
      if (re && !re.test(value)) {
        violations.push(
          `${valueAt(shape, value, path)} failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`,
        );
      }
    }
  }

  private checkRange(shape: Shape, n: number, path: string, violations: Violations): void {
    if (shape.min !== undefined && n < shape.min) {
      violations.push(
        `Value '${n}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`,
      );
    }
    if (shape.max !== undefined && n > shape.max) {
      violations.push(
        `Value '${n}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`,
      );
    }
  }

  private checkSize(shape: Shape, size: number, value: unknown, path: string, violations: Violations): void {
    if (shape.min !== undefined && size < shape.min) {
      violations.push(
        `${valueAt(shape, value, path)} failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
      );
    }
    if (shape.max !== undefined && size > shape.max) {
      violations.push(
        `${valueAt(shape, value, path)} failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
      );
    }
  }
}

export function describeViolations(violations: Violations): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}

export type { MemberRef };

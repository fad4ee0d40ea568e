/**
 * restJson1 request parser: builds an operation's typed input from the HTTP request as the
 * model binds it — URI labels, query string, headers and the JSON body — and validates it.
 * Nothing malformed gets past: bad JSON and wrong types are SerializationException, a body of
 * another media type is UnsupportedMediaTypeException, constraint violations are the
 * service's constraint error (InvalidParameterException for Connect, ValidationException for
 * the participant service).
 */
import type { Operation, ServiceModel } from './model.ts';
import { ShapeReader, describeViolations, type Violations } from './validator.ts';
import { protocolErrors, type ServiceError } from '../service-error.ts';

export interface HttpParts {
  /** Path labels, each percent-decoded exactly once. */
  labels: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
}

export type ConstraintError = (operation: Operation, message: string) => ServiceError;

export class RestJsonParser {
  readonly #model: ServiceModel;
  readonly #reader: ShapeReader;
  readonly #constraintError: ConstraintError;

  constructor(model: ServiceModel, constraintError: ConstraintError) {
    this.#model = model;
    this.#reader = new ShapeReader(model);
    this.#constraintError = constraintError;
  }

  parse(operation: Operation, http: HttpParts): Record<string, unknown> {
    const violations: Violations = [];
    const shape = operation.input ? this.#model.shapes[operation.input.shape] : undefined;
    const body = parseJsonBody(http);
    if (!shape) return {};
    const input = this.#reader.readMembers(shape, body, '', violations, true);
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const key = ref.locationName ?? name;
      let raw: unknown;
      switch (ref.location) {
        case 'uri':
          raw = http.labels[key];
          break;
        case 'querystring':
          raw = queryValue(http.query[key], this.#model.shapes[ref.shape].type === 'list');
          break;
        case 'header':
          raw = headerValue(http.headers[key.toLowerCase()]);
          break;
        default:
          continue;
      }
      if (raw !== undefined)
        input[name] = this.#reader.read(ref.shape, raw, lowerFirst(name), violations, true);
    }
    this.#reader.checkRequired(shape, input, '', violations);
    if (violations.length > 0) throw this.#constraintError(operation, describeViolations(violations));
    return input;
  }
}

const lowerFirst = (s: string): string => s[0].toLowerCase() + s.slice(1);

function parseJsonBody(http: HttpParts): unknown {
  const bytes = http.body;
  if (!bytes || bytes.length === 0) return {};
  const type = headerValue(http.headers['content-type']);
  const mediaType = type?.split(';')[0].trim().toLowerCase();
  if (
    mediaType !== undefined &&
    mediaType !== 'application/json' &&
    mediaType !== 'application/x-amz-json-1.1'
  ) {
    throw protocolErrors.unsupportedMediaType(mediaType);
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw protocolErrors.serialization(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw protocolErrors.serialization('Request body must be a JSON object');
  }
  return value;
}

function queryValue(v: string | string[] | undefined, list: boolean): unknown {
  if (v === undefined) return undefined;
  if (list) return Array.isArray(v) ? v : [v];
  // A scalar given twice is ambiguous: keep the first, as API Gateway does.
  return Array.isArray(v) ? v[0] : v;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * restJson1 response serializer: renders a provider's output through the output shape, so
 * only modelled members reach the wire and every timestamp has the model's format (epoch
 * seconds by default — SDK v3 fails on ISO strings there).
 */
import type { ServiceModel, TimestampFormat } from './model.ts';
import type { ServiceError } from '../service-error.ts';

export class RestJsonSerializer {
  readonly #model: ServiceModel;

  constructor(model: ServiceModel) {
    this.#model = model;
  }

  /** The JSON body for an operation's output (`{}` for operations without output). */
  body(outputShape: string | undefined, output: unknown): string {
    if (!outputShape) return '{}';
    return JSON.stringify(this.#value(outputShape, output, undefined) ?? {});
  }

  #value(shapeName: string, value: unknown, format: TimestampFormat | undefined): unknown {
    if (value === undefined || value === null) return undefined;
    const shape = this.#model.shapes[shapeName];
    switch (shape.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const [name, ref] of Object.entries(shape.members ?? {})) {
          if (ref.location) continue;
          const v = this.#value(ref.shape, (value as Record<string, unknown>)[name], ref.timestampFormat);
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
      case 'list':
        return (value as unknown[]).map((item) => this.#value(shape.member!.shape, item, undefined));
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const rendered = this.#value(shape.value!.shape, v, undefined);
          // defineProperty, not `out[k] =`: a key named "__proto__" would set the prototype and vanish.
          if (rendered !== undefined) {
            Object.defineProperty(out, k, {
              value: rendered,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
        }
        return out;
      }
      case 'timestamp': {
        const ms = value instanceof Date ? value.getTime() : (value as number);
        switch (format ?? shape.timestampFormat ?? 'unixTimestamp') {
          case 'iso8601':
            return new Date(ms).toISOString();
          case 'rfc822':
            return new Date(ms).toUTCString();
          default:
            return ms / 1000;
        }
      }
      case 'blob':
        return Buffer.from(value as Uint8Array).toString('base64');
      default:
        return value;
    }
  }
}

/** The AWS wire form of an error body: the type in `__type` too, for browsers that cannot read headers. */
export function errorBody(err: ServiceError): string {
  return JSON.stringify({ __type: err.code, Message: err.message, ...err.extra });
}

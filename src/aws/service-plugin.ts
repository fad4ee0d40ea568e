/**
 * One AWS service on the HTTP server: routes from the model, then for every request
 * authenticate → parse and validate → admit (rate limits) → provider → serialize, and every
 * failure in the AWS wire form. The provider sees only typed, validated input.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Operation, ServiceModel } from './protocol/model.ts';
import { RestJsonParser, type ConstraintError } from './protocol/parser.ts';
import { RestJsonSerializer, errorBody } from './protocol/serializer.ts';
import { protocolErrors, toServiceError, type ServiceError } from './service-error.ts';
import type { RequestContext } from './request-context.ts';

export interface RawRequest {
  method: string;
  /** Path and query exactly as received, still percent-encoded. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ServiceEdge {
  model: ServiceModel;
  /** The provider: one method per implemented operation, named as in the generated API. */
  provider: object;
  /** Establishes the caller (sets ctx.caller or ctx.bearerToken) or throws. */
  authenticate(req: RawRequest, ctx: RequestContext): Promise<void>;
  constraintError: ConstraintError;
  internalError: () => ServiceError;
  /** Last check before the provider runs, e.g. rate limits; throws to refuse. */
  admit?(operation: Operation, input: Record<string, unknown>, ctx: RequestContext): void;
  defaultRegion: string;
}

type Handler = (input: Record<string, unknown>, ctx: RequestContext) => Promise<unknown>;

const EMPTY = Buffer.alloc(0);

export function sendServiceError(reply: FastifyReply, err: ServiceError): void {
  reply
    .code(err.statusCode)
    .header('content-type', 'application/json')
    .header('x-amzn-ErrorType', err.code)
    .send(errorBody(err));
}

/**
 * The headers as SigV4 reads them. A header sent on several lines is signed as its values joined
 * by "," and node's own join adds a space, so such a request is read through headersDistinct —
 * only such a request: building that second copy for every request took 1–2% of the main thread.
 */
function signedHeaders(raw: IncomingMessage): RawRequest['headers'] {
  const repeated = raw.rawHeaders.length !== 2 * Object.keys(raw.headers).length;
  return repeated ? raw.headersDistinct : raw.headers;
}

/** `/contacts/{InstanceId}/{ContactId}` → `/contacts/:InstanceId/:ContactId`; greedy `{Key+}` → `*`. */
export function routePath(requestUri: string): string {
  return requestUri
    .split('?')[0]
    .replace(/\{([^}]+)\+\}/g, '*')
    .replace(/\{([^}]+)\}/g, ':$1');
}

export function registerService(app: FastifyInstance, edge: ServiceEdge): void {
  const parser = new RestJsonParser(edge.model, edge.constraintError);
  const serializer = new RestJsonSerializer(edge.model);
  for (const op of Object.values(edge.model.operations)) {
    const methodName = op.name[0].toLowerCase() + op.name.slice(1);
    const handler = (edge.provider as Record<string, Handler>)[methodName]?.bind(edge.provider);
    if (!handler) throw new Error(`${edge.model.metadata.serviceId} provider lacks ${methodName}`);
    const greedy = /\{([^}]+)\+\}/.exec(op.http.requestUri)?.[1];
    app.route({
      method: op.http.method as 'GET',
      url: routePath(op.http.requestUri),
      config: { operation: op.name },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const ctx: RequestContext = { requestId: req.id, operation: op.name, region: edge.defaultRegion };
        try {
          const body = (req.body as Buffer | undefined) ?? EMPTY;
          await edge.authenticate(
            { method: req.method, url: req.raw.url ?? req.url, headers: signedHeaders(req.raw), body },
            ctx,
          );
          const labels = { ...(req.params as Record<string, string>) };
          if (greedy) labels[greedy] = labels['*'];
          const input = parser.parse(op, {
            labels,
            query: req.query as Record<string, string | string[]>,
            headers: req.headers,
            body,
          });
          if (typeof input.InstanceId === 'string') req.instanceId = input.InstanceId;
          edge.admit?.(op, input, ctx);
          const output = await handler(input, ctx);
          reply
            .code(op.http.responseCode ?? 200)
            .header('content-type', 'application/json')
            .send(serializer.body(op.output?.shape, output));
        } catch (err) {
          const serviceError = toServiceError(err, edge.internalError);
          if (serviceError.fault === 'server') req.log.error({ err, operation: op.name }, 'request failed');
          sendServiceError(reply, serviceError);
        }
      },
    });
  }
}

/**
 * What to answer for a request no route took: a model operation we do not implement gets the
 * uniform 501, anything else UnknownOperationException.
 */
export function notFoundError(models: ServiceModel[], method: string, url: string): ServiceError {
  const path = url.split('?')[0];
  for (const model of models) {
    for (const op of model.allOperations) {
      if (op.method === method && templateMatches(op.requestUri, path))
        return protocolErrors.notImplemented(op.name);
    }
  }
  return protocolErrors.unknownOperation(method, path);
}

function templateMatches(requestUri: string, path: string): boolean {
  const template = requestUri.split('?')[0].split('/');
  const segments = path.split('/');
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (/^\{[^}]+\+\}$/.test(t)) return segments.length > i;
    if (segments[i] === undefined) return false;
    if (/^\{[^}]+\}$/.test(t)) {
      if (segments[i] === '') return false;
    } else if (t !== segments[i]) return false;
  }
  return template.length === segments.length;
}

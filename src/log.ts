/**
 * The node's log: pino on stderr, one line per API call (apiCallLine) and per step of a
 * contact, each a JSON object, or a human line when asked for (`--log-format pretty`, the
 * default when stderr is a terminal). Lines are written asynchronously, so logging never holds
 * up a request, and flushed when the process exits, however it exits.
 *
 * Credentials and tokens never reach a log line: request headers are not logged, an API call's
 * line has only the fields named here, and these keys are censored in whatever else is logged.
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogFormat } from './config.ts';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-amz-bearer"]',
  'req.headers["x-amz-security-token"]',
  // At the top of a line's object and one level down (pino's '*' matches exactly one level).
  ...['ParticipantToken', 'ConnectionToken', 'secretAccessKey', 'password', 'Password'].flatMap((key) => [
    key,
    `*.${key}`,
  ]),
];

export interface NodeLogs {
  /** Fastify's lines and the gateways': what they log passes through the redaction paths. */
  log: Logger;
  /**
   * Lines whose every field the code logging them chose, one by one — the API calls'
   * (apiCallLine) and the domain's (ports/log.ts) — in the same stream. They skip the
   * redaction, which costs more than the rest of a line, several times per request.
   */
  allowListed: Logger;
}

export function createLogs(level: string, format: LogFormat): NodeLogs {
  // Asynchronous; pino flushes it synchronously on the process's exit.
  const destination = pino.destination({ fd: 2, sync: false });
  const stream = format === 'pretty' ? prettyOnto(destination) : destination;
  return {
    log: pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream),
    allowListed: pino({ level }, stream),
  };
}

/** Human lines, formatted as they are logged and written to the same destination. */
function prettyOnto(destination: ReturnType<typeof pino.destination>): DestinationStream {
  const pretty = prettyFactory({ colorize: process.stderr.isTTY === true, singleLine: true });
  return { write: (line: string) => void destination.write(pretty(line)) };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The AWS operation a route serves, for its API call lines (registerService). */
    operation?: string;
  }
  interface FastifyRequest {
    /** The instance an AWS request names, in its path or body, once parsed (registerService). */
    instanceId: string | undefined;
  }
}

/**
 * The line for an API call, once answered: an allow-list of fields, never the request. The
 * operation is the AWS operation's name, or for other routes the method and route pattern.
 */
export function apiCallLine(req: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const route = req.routeOptions;
  const operation =
    route.config.operation ?? `${req.method} ${route.url ?? (req.raw.url ?? req.url).split('?')[0]}`;
  const instanceId = req.instanceId;
  const errorType = reply.getHeader('x-amzn-ErrorType');
  return {
    operation,
    status: reply.statusCode,
    latencyMs: Math.round(reply.elapsedTime * 100) / 100,
    requestId: req.id,
    ...(instanceId !== undefined && { instanceId }),
    ...(errorType !== undefined && { errorType }),
  };
}

/**
 * Fastify gives every request a child logger bound to its request id, and pino builds a child by
 * serializing those bindings through the redaction paths: ~3% of the main thread's time per
 * StartChatContact, for requests that nearly all log nothing. This factory hands out a logger
 * that builds the child the first time the request logs.
 */
export const lazyChildLogger: ChildLoggerFactory = (parent, bindings, options) =>
  new RequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;

type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;
type Bindings = Parameters<ChildLoggerFactory>[1];
type ChildLoggerOptions = Parameters<ChildLoggerFactory>[2];
type Log = (...args: unknown[]) => void;

class RequestLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #log(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#log.level = level;
  }
  fatal(...args: unknown[]): void {
    (this.#log.fatal as Log)(...args);
  }
  error(...args: unknown[]): void {
    (this.#log.error as Log)(...args);
  }
  warn(...args: unknown[]): void {
    (this.#log.warn as Log)(...args);
  }
  info(...args: unknown[]): void {
    (this.#log.info as Log)(...args);
  }
  debug(...args: unknown[]): void {
    (this.#log.debug as Log)(...args);
  }
  trace(...args: unknown[]): void {
    (this.#log.trace as Log)(...args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#log.child(bindings, options);
  }
}

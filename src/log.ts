/**
 * Structured logs (pino, through Fastify) on stderr. Credentials and tokens never reach a
 * log line: request headers are not logged, and these keys are censored in what is logged.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

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

export function logOptions(level: string): FastifyServerOptions['logger'] {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, stream: process.stderr };
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

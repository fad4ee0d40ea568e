/**
 * The one error base of the AWS edge. `code` is always the AWS error name (the value of
 * `x-amzn-ErrorType`), `statusCode` always the HTTP status: no field means two things.
 * Modelled errors are generated subclasses (src/generated/<svc>/errors.ts); errors the
 * models do not declare but AWS answers anyway (auth, throttling, protocol) are built here.
 */
export type Fault = 'client' | 'server';

export class ServiceError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly fault: Fault;
  /** Extra top-level members of the error body (e.g. `Reason`). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    code: string,
    statusCode: number,
    message: string,
    fault: Fault = 'client',
    extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
    this.fault = fault;
    this.extra = extra;
  }
}

/** Errors of the HTTP/protocol layer itself, common to every restJson service. */
export const protocolErrors = {
  serialization: (message: string) => new ServiceError('SerializationException', 400, message),
  unsupportedMediaType: (type: string) =>
    new ServiceError(
      'UnsupportedMediaTypeException',
      415,
      `Unsupported Content-Type: ${type}; use application/json`,
    ),
  bodyTooLarge: (limit: number) =>
    new ServiceError('RequestEntityTooLargeException', 413, `Request body exceeds ${limit} bytes`),
  unknownOperation: (method: string, path: string) =>
    new ServiceError('UnknownOperationException', 404, `No operation matches ${method} ${path}`),
  notImplemented: (operation: string) =>
    new ServiceError('NotImplementedException', 501, `${operation} is not implemented by localconnect`),
  internal: () => new ServiceError('InternalServiceException', 500, 'An internal error occurred', 'server'),
};

/** Turns anything thrown into a ServiceError; unknown errors become an AWS-shaped 500. */
export function toServiceError(
  err: unknown,
  internal: () => ServiceError = protocolErrors.internal,
): ServiceError {
  return err instanceof ServiceError ? err : internal();
}

/**
 * SinkError: why a delivery to an outside service (an SNS topic, an S3 bucket) failed, in the
 * terms the delivery worker acts on. Retryable: the service could not be reached or answered
 * that it could not take the request now (a network failure, a timeout, throttling, a 5xx);
 * the same delivery may land later. Permanent: the service understood and refused it (no
 * such topic or bucket, access denied, an invalid parameter); the same delivery never will.
 */
export class SinkError extends Error {
  /** The service's error name (NotFound, AccessDenied…) or, without an answer, the failure's. */
  readonly code: string;
  readonly retryable: boolean;
  /** The HTTP status the service answered with; absent when it did not answer. */
  readonly status?: number;

  constructor(message: string, opts: { code: string; retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'SinkError';
    this.code = opts.code;
    this.retryable = opts.retryable;
    this.status = opts.status;
  }
}

/**
 * Structured logs (pino, through Fastify) on stderr. Credentials and tokens never reach a
 * log line: request headers are not logged, and these paths are censored wherever they appear.
 */
import type { FastifyServerOptions } from 'fastify';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-amz-bearer"]',
  'req.headers["x-amz-security-token"]',
  '*.ParticipantToken',
  '*.ConnectionToken',
  '*.secretAccessKey',
  '*.password',
  '*.Password',
];

export function logOptions(level: string): FastifyServerOptions['logger'] {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, stream: process.stderr };
}

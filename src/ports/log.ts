/**
 * Log: lines for whoever runs the node, as fields and a message. The domain says what happened
 * to a contact (started, queued, offered, accepted, ended) and what failed; where the lines go
 * and how they look is the node's (log.ts). Fields are chosen by the caller, one by one, and
 * written as given: never a whole record, which may hold a token.
 */
export type LogFields = Record<string, unknown>;

export type LogLevel = 'info' | 'warn' | 'error';

export interface Log {
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
}

/**
 * The domain thread's Log: each line goes to the main thread, which owns the node's log and
 * writes it at the line's level (one writer, so lines from both threads never interleave).
 * Lines below the node's level are dropped here, not posted to be dropped there: at warn, a
 * StartChatContact's two lifecycle lines would otherwise cost two messages between threads.
 */
import { levels } from 'pino';
import type { Log, LogFields, LogLevel } from '../ports/log.ts';
import type { ToMain } from './messages.ts';

/** An error as it can cross to another thread: its message and stack. */
export const errorOf = (err: unknown): { message: string; stack?: string } =>
  err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };

export class ThreadLog implements Log {
  readonly #post: (m: ToMain) => void;
  /** pino's number for the node's level (silent: none is logged). */
  readonly #min: number;

  constructor(post: (m: ToMain) => void, level: string) {
    this.#post = post;
    this.#min = levels.values[level] ?? Infinity;
  }

  info(fields: LogFields, msg: string): void {
    this.#line('info', fields, msg);
  }
  warn(fields: LogFields, msg: string): void {
    this.#line('warn', fields, msg);
  }
  error(fields: LogFields, msg: string): void {
    this.#line('error', fields, msg);
  }

  #line(level: LogLevel, fields: LogFields, msg: string): void {
    if (levels.values[level] < this.#min) return;
    const { err, ...rest } = fields;
    this.#post({ log: { ...rest, ...(err !== undefined && { err: errorOf(err) }), level, msg } });
  }
}

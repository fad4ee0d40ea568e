/** What the domain thread tells the main thread besides the answers to its calls. */
import type { BootstrapInfo } from '../bootstrap.ts';
import type { AccessKeyRecord } from '../ports/store.ts';
import type { LogLevel } from '../ports/log.ts';
import type { ForwardedEvent } from './event-bridge.ts';

export type ToMain =
  /** The domain is up: what the banner and the SigV4 check need. */
  | { ready: { info: BootstrapInfo; accessKeys: AccessKeyRecord[] } }
  /** It could not start. */
  | { failed: { message: string; stack?: string } }
  /** An event for the main thread's bus. */
  | ForwardedEvent
  /** A line to log (the main thread owns the log): its fields, level and message. */
  | { log: Record<string, unknown> & { level: LogLevel; msg: string } };

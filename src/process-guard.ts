/**
 * The last resort: an error nothing handled (an emitter's 'error' with no listener, a rejected
 * promise nobody awaited) is logged and the node goes on serving. Such an error comes from one
 * connection or one piece of work; the state that matters is in the store, committed or not,
 * so ending the process would drop every other chat for one peer's fault.
 */
interface GuardLog {
  error(obj: object, msg: string): void;
}

export function installProcessGuard(log: GuardLog): void {
  // Only the error: the request or socket that caused it may carry tokens.
  const report = (kind: string) => (err: unknown) =>
    log.error(
      { kind, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) },
      'an error reached the top of the process; serving on',
    );
  process.on('uncaughtException', report('uncaughtException'));
  process.on('unhandledRejection', report('unhandledRejection'));
}

/**
 * Calls between the node's main thread (HTTP, websockets) and its domain thread (the store and
 * every domain service), and between the domain thread and its delivery thread, over a
 * worker's message channel. A call names a target object and a method; arguments and results
 * are structured-cloned; a thrown error crosses as its AWS or workspace error (code, status,
 * message) so the edges answer it exactly as before, or as the SinkError a delivery failed
 * with. Other messages (events, logs) go to `onMessage`.
 */
import { ServiceError, type Fault } from '../aws/service-error.ts';
import { AgentError, type AgentErrorName } from '../domain/agents/agent-error.ts';
import { SinkError } from '../ports/sink-error.ts';

/** The part of a MessagePort / Worker / parentPort both ends use. */
export interface Channel {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: any) => void): unknown;
}

interface Call {
  call: number;
  target: string;
  method: string;
  args: unknown[];
}

type CrossedError =
  | { kind: 'service'; code: string; statusCode: number; message: string; fault: Fault; extra?: object }
  | { kind: 'agent'; code: AgentErrorName; message: string; extra: Record<string, unknown> }
  | { kind: 'sink'; code: string; retryable: boolean; status?: number; message: string }
  | { kind: 'other'; message: string; stack?: string };

function toCrossed(err: unknown): CrossedError {
  if (err instanceof ServiceError)
    return {
      kind: 'service',
      code: err.code,
      statusCode: err.statusCode,
      message: err.message,
      fault: err.fault,
      extra: err.extra,
    };
  if (err instanceof AgentError)
    return { kind: 'agent', code: err.code, message: err.message, extra: err.extra };
  if (err instanceof SinkError)
    return {
      kind: 'sink',
      code: err.code,
      retryable: err.retryable,
      status: err.status,
      message: err.message,
    };
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'other', message: e.message, stack: e.stack };
}

function fromCrossed(e: CrossedError): Error {
  if (e.kind === 'service')
    return new ServiceError(e.code, e.statusCode, e.message, e.fault, e.extra as never);
  if (e.kind === 'agent') return new AgentError(e.code, e.message, e.extra);
  if (e.kind === 'sink') return new SinkError(e.message, e);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/** The domain thread's side: answers calls on the targets; other messages go to `onMessage`. */
export function serveCalls(
  channel: Channel,
  targets: Record<string, object>,
  onMessage: (m: any) => void,
): void {
  channel.on('message', (m: Call | unknown) => {
    if (!m || typeof m !== 'object' || !('call' in m)) return onMessage(m);
    const { call, target, method, args } = m as Call;
    const object = targets[target] as Record<string, (...a: unknown[]) => unknown> | undefined;
    Promise.resolve()
      .then(() => {
        const fn = object?.[method];
        if (typeof fn !== 'function') throw new Error(`no method ${target}.${method}`);
        return fn.apply(object, args);
      })
      .then(
        (result) => channel.postMessage({ reply: call, result }),
        (err) => channel.postMessage({ reply: call, error: toCrossed(err) }),
      );
  });
}

/** The main thread's side: typed proxies whose methods are calls to the domain thread. */
export class Caller {
  readonly #channel: Channel;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #next = 0;
  #stopped: Error | undefined;

  constructor(channel: Channel, onMessage: (m: any) => void) {
    this.#channel = channel;
    channel.on('message', (m: any) => {
      if (!m || typeof m !== 'object' || !('reply' in m)) return onMessage(m);
      const p = this.#pending.get(m.reply);
      if (!p) return;
      this.#pending.delete(m.reply);
      if (m.error) p.reject(fromCrossed(m.error));
      else p.resolve(m.result);
    });
  }

  call(target: string, method: string, args: unknown[]): Promise<unknown> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    return new Promise((resolve, reject) => {
      const call = this.#next++;
      this.#pending.set(call, { resolve, reject });
      this.#channel.postMessage({ call, target, method, args });
    });
  }

  /** Every method of the returned object calls the domain thread's `target`. */
  proxy<T extends object>(target: string): T {
    const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    return new Proxy({} as T, {
      get: (_obj, name) => {
        if (typeof name !== 'string' || name === 'then') return undefined; // not a thenable
        let fn = methods.get(name);
        if (!fn) methods.set(name, (fn = (...args: unknown[]) => this.call(target, name, args)));
        return fn;
      },
    });
  }

  /** Fails every call still waiting, and every later one (the domain thread is gone). */
  failAll(err: Error): void {
    this.#stopped = err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}

/** The agent workspace API on the node's own origin. */
import type { AgentState, Connection } from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds?: number;

  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Called when any request finds the session gone, so the app can go back to sign-in. */
let onNotSignedIn: () => void = () => {};
export function whenNotSignedIn(handler: () => void): void {
  onNotSignedIn = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const changes = method !== 'GET';
  let res: Response;
  try {
    res = await fetch(`/agent/api${path}`, {
      method,
      credentials: 'same-origin',
      // The server refuses changes that are not JSON (its CSRF guard), and Fastify refuses an
      // empty JSON body: every change sends a body, `{}` when it has nothing to say.
      headers: changes ? { 'content-type': 'application/json' } : undefined,
      body: changes ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch {
    throw new ApiError(0, 'NetworkError', 'The server cannot be reached.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok) {
    const code = typeof data?.error === 'string' ? data.error : `HTTP${res.status}`;
    const message = typeof data?.message === 'string' ? data.message : `${res.status} ${res.statusText}`;
    const retry = typeof data?.retryAfterSeconds === 'number' ? data.retryAfterSeconds : undefined;
    const error = new ApiError(res.status, code, message, retry);
    if (res.status === 401 && path !== '/session') onNotSignedIn();
    throw error;
  }
  return data as T;
}

export const api = {
  signIn: (username: string, password: string) =>
    request<AgentState>('POST', '/session', { username, password }),
  signOut: () => request<void>('DELETE', '/session'),
  state: () => request<AgentState>('GET', '/state'),
  setStatus: (statusId: string) => request<AgentState>('PUT', '/status', { statusId }),
  accept: (contactId: string) =>
    request<Connection>('POST', `/contacts/${encodeURIComponent(contactId)}/accept`),
  reject: (contactId: string) => request<void>('POST', `/contacts/${encodeURIComponent(contactId)}/reject`),
  connection: (contactId: string) =>
    request<Connection>('POST', `/contacts/${encodeURIComponent(contactId)}/connection`),
  end: (contactId: string) => request<void>('POST', `/contacts/${encodeURIComponent(contactId)}/end`),
  clear: (contactId: string) => request<void>('POST', `/contacts/${encodeURIComponent(contactId)}/clear`),
};

export function eventsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/agent/api/events`;
}

/**
 * The agent workspace API's errors (docs/agent-workspace-api.md): a name the workspace acts on
 * and the HTTP status the edge answers with. Not AWS errors: that API is localconnect's own.
 */
export const AGENT_ERRORS = {
  InvalidCredentials: 401,
  NotSignedIn: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  BadRequest: 400,
  TooManyAttempts: 429,
} as const;

export type AgentErrorName = keyof typeof AGENT_ERRORS;

export class AgentError extends Error {
  readonly code: AgentErrorName;
  readonly extra: Record<string, unknown>;

  constructor(code: AgentErrorName, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.extra = extra;
  }

  get statusCode(): number {
    return AGENT_ERRORS[this.code];
  }
}

/**
 * The agent workspace API (docs/agent-workspace-api.md): sign-in with a session cookie and the
 * agent's commands, as a Fastify plugin with its own error form. Chats themselves go through
 * the Participant Service, as the customer's do.
 *
 * Cross-site requests: the cookie is SameSite=Strict and HttpOnly, every command must be
 * application/json (which a cross-site form cannot send without a CORS preflight, and this
 * API answers none), and a browser's Origin must be one of the node's own (OriginPolicy).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie, { type CookieSerializeOptions } from '@fastify/cookie';
import type { OriginPolicy } from '../../http/origin-policy.ts';
import { InFlightLimit } from '../../http/in-flight-limit.ts';
import { AgentError } from '../../domain/agents/agent-error.ts';
import { SESSION_TTL_MS, type AgentService, type Session } from '../../domain/agents/agent-service.ts';

export const AGENT_COOKIE = 'localconnect-agent';
export const AGENT_API = '/agent/api';

declare module 'fastify' {
  interface FastifyRequest {
    agentSession?: Session;
  }
}

/**
 * Whether a request may act on a session: a browser always sends Origin on commands and
 * websocket upgrades, so one without Origin is not a browser, and cannot be a page riding on
 * the agent's cookie.
 */
export function fromOurPages(origins: OriginPolicy, origin: string | undefined): boolean {
  return origin === undefined || origins.isOurs(origin);
}

/** The session cookie's attributes: signing out must clear it with the same ones. */
function sessionCookie(req: FastifyRequest): CookieSerializeOptions {
  return { path: '/agent', httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https' };
}

/**
 * Sign-ins waiting for their password check at once on this node: as many as the hashing
 * queue holds (WorkerPasswordHasher); more are refused before they reach the domain thread.
 */
export const MAX_SIGN_INS_IN_FLIGHT = 64;

export function agentEdge(agents: AgentService, origins: OriginPolicy) {
  const signIns = new InFlightLimit(MAX_SIGN_INS_IN_FLIGHT);
  return async function agentApi(app: FastifyInstance): Promise<void> {
    await app.register(fastifyCookie);

    app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      if (err instanceof AgentError) return sendError(reply, err);
      // What Fastify refuses before a route runs (a body over the limit, a bad header) keeps its status.
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
        return reply.code(err.statusCode).send({ error: 'BadRequest', message: err.message });
      req.log.error({ err }, 'agent API failed');
      reply.code(500).send({ error: 'InternalError', message: 'The request failed; see the node log' });
    });
    app.setNotFoundHandler((_req, reply) =>
      reply.code(404).send({ error: 'NotFound', message: 'No such agent API route' }),
    );

    app.addHook('onRequest', async (req) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        if (!fromOurPages(origins, req.headers.origin))
          throw new AgentError('Forbidden', 'Cross-origin requests are refused');
        if (req.method !== 'DELETE' && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
          throw new AgentError('Forbidden', 'Commands must be application/json');
      }
      if (req.routeOptions.config.public) return;
      const session = await agents.authenticate(req.cookies[AGENT_COOKIE]);
      if (!session) throw new AgentError('NotSignedIn', 'Sign in first');
      req.agentSession = session;
    });

    const session = (req: FastifyRequest) => req.agentSession!;
    const contactId = (req: FastifyRequest) => (req.params as { contactId: string }).contactId;

    const busy = new AgentError('TooManyAttempts', 'Too many sign-ins at once; wait and try again', {
      retryAfterSeconds: 1,
    });
    app.post(
      '/session',
      {
        config: { public: true },
        // A burst past the limit is answered as it arrives: no body read, nothing thrown.
        onRequest: async (_req, reply) => {
          if (signIns.full) return sendError(reply, busy);
        },
      },
      async (req, reply) => {
        const body = jsonBody(req) as { username?: unknown; password?: unknown };
        if (typeof body.username !== 'string' || typeof body.password !== 'string')
          throw new AgentError('BadRequest', 'username and password are required strings');
        const { username, password } = body;
        const { token, session: s } = await signIns.run(
          () => agents.signIn(username, password, req.ip),
          () => {
            throw busy;
          },
        );
        reply.setCookie(AGENT_COOKIE, token, { ...sessionCookie(req), maxAge: SESSION_TTL_MS / 1000 });
        return agents.view(s);
      },
    );
    app.delete('/session', async (req, reply) => {
      await agents.signOut(session(req));
      reply.clearCookie(AGENT_COOKIE, sessionCookie(req));
      reply.code(204).send();
    });
    app.get('/state', async (req) => agents.view(session(req)));
    app.put('/status', async (req) => {
      const { statusId } = jsonBody(req) as { statusId?: unknown };
      if (typeof statusId !== 'string') throw new AgentError('BadRequest', 'statusId is a required string');
      await agents.setStatus(session(req), statusId);
      return agents.view(session(req));
    });
    app.post('/contacts/:contactId/accept', async (req) => agents.accept(session(req), contactId(req)));
    app.post('/contacts/:contactId/connection', async (req) =>
      agents.connection(session(req), contactId(req)),
    );
    for (const [action, run] of [
      ['reject', agents.reject],
      ['end', agents.end],
      ['clear', agents.clear],
    ] as const) {
      app.post(`/contacts/:contactId/${action}`, async (req, reply) => {
        await run.call(agents, session(req), contactId(req));
        reply.code(204).send();
      });
    }
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean;
  }
}

function jsonBody(req: FastifyRequest): unknown {
  const raw = req.body as Buffer | undefined;
  try {
    const parsed = JSON.parse(raw?.length ? raw.toString('utf8') : '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new AgentError('BadRequest', 'The body must be a JSON object');
}

function sendError(reply: FastifyReply, err: AgentError): void {
  if (typeof err.extra.retryAfterSeconds === 'number')
    reply.header('retry-after', err.extra.retryAfterSeconds);
  reply.code(err.statusCode).send({ error: err.code, message: err.message, ...err.extra });
}

/**
 * The pages the node serves besides its APIs: the agent workspace (the React app built into
 * web/agent/dist by `npm run build:web`) at /agent/, and the customer test pages: /test-chat/,
 * which starts chats through StartChatContact as a customer's own backend would, with the
 * node's credentials, and runs amazon-connect-chatjs; and /test-call/, which starts web calls
 * through StartWebRTCContact and joins them with the Amazon Chime SDK (built by Vite too).
 *
 * The test pages' backends start contacts for whoever calls them, so they answer only the
 * node's own pages (their Origin, and application/json, which a cross-site form cannot send),
 * count against the instance's quota of the operation like any API call, and can be switched
 * off.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../aws/request-context.ts';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import type { ConnectProvider } from '../services/connect/provider.ts';
import { ServiceError } from '../aws/service-error.ts';
import { TooManyRequestsException } from '../generated/connect/errors.ts';
import type { ApiRateLimits } from '../quotas.ts';
import type { OriginPolicy } from '../http/origin-policy.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WORKSPACE_DIR = join(ROOT, 'web', 'agent', 'dist');
const TEST_CHAT_DIR = join(ROOT, 'web', 'test-chat');
/** The web call test page, built by Vite (it bundles the Chime SDK) with the workspace. */
const TEST_CALL_DIR = join(ROOT, 'web', 'test-call', 'dist');
const CHATJS = createRequire(import.meta.url).resolve('amazon-connect-chatjs/dist/amazon-connect-chat.js');

export interface PagesDeps {
  provider: ConnectProvider;
  accountId: string;
  region: string;
  instanceId: string;
  flowId: string;
  origins: OriginPolicy;
  rateLimits: ApiRateLimits;
  /** Whether /test-chat/ is served at all. */
  testPages: boolean;
}

/** What a test page starts a contact with: the customer's name, and a call's description and order. */
interface TestPageStart {
  displayName: string;
  description?: string;
  orderUrl?: string;
  /** A video call: both sides may send video. */
  video?: boolean;
}

export function webPages(d: PagesDeps) {
  /**
   * A test page's start: only from the node's own pages, with a JSON body naming the customer,
   * taking the operation's quota as an API call would; errors answered as JSON.
   */
  async function startForTestPage(
    req: FastifyRequest,
    reply: FastifyReply,
    operation: string,
    start: (page: TestPageStart, ctx: RequestContext) => Promise<unknown>,
  ): Promise<unknown> {
    // Only the test pages call this, from a browser, which always sends Origin on a POST.
    if (!d.origins.isOurs(req.headers.origin))
      return reply
        .code(403)
        .send({ error: 'Forbidden', message: "Only the node's own pages may start test contacts" });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return reply
        .code(415)
        .send({ error: 'UnsupportedMediaType', message: 'The body must be application/json' });
    const page: TestPageStart = { displayName: 'Customer' };
    try {
      const body = JSON.parse((req.body as Buffer | undefined)?.toString('utf8') || '{}');
      const text = (name: string) =>
        typeof body[name] === 'string' && body[name].trim() ? (body[name].trim() as string) : undefined;
      page.displayName = (text('displayName') ?? 'Customer').slice(0, 256);
      page.description = text('description');
      page.orderUrl = text('orderUrl');
      page.video = body.video === true;
    } catch {
      return reply.code(400).send({ error: 'BadRequest', message: 'The body must be JSON' });
    }
    try {
      if (!d.rateLimits.take(d.instanceId, operation))
        throw new TooManyRequestsException(`Rate exceeded for ${operation}`);
      return await start(page, {
        requestId: req.id,
        operation,
        region: d.region,
        caller: { accessKeyId: 'test-page', accountId: d.accountId },
      });
    } catch (err) {
      if (err instanceof ServiceError)
        return reply.code(err.statusCode).send({ error: err.code, message: err.message });
      throw err;
    }
  }

  /** A test page's contact: the default instance's inbound flow, the page named in its attributes. */
  const testContact = (page: TestPageStart, source: string) => ({
    InstanceId: d.instanceId,
    ContactFlowId: d.flowId,
    ParticipantDetails: { DisplayName: page.displayName },
    Attributes: { source },
    ClientToken: randomUUID(),
  });

  return async function pages(app: FastifyInstance): Promise<void> {
    app.get('/agent', (_req, reply) => reply.redirect('/agent/'));
    if (existsSync(join(WORKSPACE_DIR, 'index.html'))) {
      await app.register(fastifyStatic, {
        root: WORKSPACE_DIR,
        prefix: '/agent/',
        decorateReply: false,
        // One route per built file rather than /agent/*, which would take /agent/api/* too.
        wildcard: false,
      });
    } else {
      app.get('/agent/', (_req, reply) =>
        reply.code(503).type('text/plain').send('The agent workspace is not built: run npm run build:web\n'),
      );
    }

    if (!d.testPages) return;
    app.get('/test-chat', (_req, reply) => reply.redirect('/test-chat/'));
    app.get('/test-chat/chatjs.js', (_req, reply) =>
      reply.type('text/javascript').sendFile('amazon-connect-chat.js', dirname(CHATJS)),
    );
    await app.register(fastifyStatic, { root: TEST_CHAT_DIR, prefix: '/test-chat/', wildcard: false });

    // The customer's backend: StartChatContact with the node's own account, into the default
    // instance's inbound flow. The body only names the customer.
    app.post('/test-chat/api/start', (req, reply) =>
      startForTestPage(req, reply, 'StartChatContact', (page, ctx) =>
        d.provider.startChatContact(testContact(page, 'test-chat'), ctx),
      ),
    );

    app.get('/test-call', (_req, reply) => reply.redirect('/test-call/'));
    if (existsSync(join(TEST_CALL_DIR, 'index.html'))) {
      await app.register(fastifyStatic, {
        root: TEST_CALL_DIR,
        prefix: '/test-call/',
        decorateReply: false,
        wildcard: false,
      });
    }
    // The same for a web call: StartWebRTCContact, audio only.
    app.post('/test-call/api/start', (req, reply) =>
      startForTestPage(req, reply, 'StartWebRTCContact', (page, ctx) =>
        d.provider.startWebRTCContact(
          {
            ...testContact(page, 'test-call'),
            ...(page.description && { Description: page.description }),
            ...(page.orderUrl && { References: { order: { Type: 'URL', Value: page.orderUrl } } }),
            ...(page.video && {
              AllowedCapabilities: { Customer: { Video: 'SEND' }, Agent: { Video: 'SEND' } },
            }),
          },
          ctx,
        ),
      ),
    );
  };
}

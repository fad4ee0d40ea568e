/**
 * The pages the node serves besides its APIs: the agent workspace (the React app built into
 * web/agent/dist by `npm run build:web`) at /agent/, and the customer test page at /test-chat/,
 * which starts chats through StartChatContact as a customer's own backend would, with the
 * node's credentials, and runs amazon-connect-chatjs.
 *
 * The test page's backend starts chats for whoever calls it, so it answers only the node's own
 * pages (their Origin, and application/json, which a cross-site form cannot send), counts
 * against the instance's StartChatContact quota like any API call, and can be switched off.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
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

export function webPages(d: PagesDeps) {
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
    app.post('/test-chat/api/start', async (req, reply) => {
      // Only the test page calls this, from a browser, which always sends Origin on a POST.
      if (!d.origins.isOurs(req.headers.origin))
        return reply
          .code(403)
          .send({ error: 'Forbidden', message: "Only the node's own pages may start test chats" });
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        return reply
          .code(415)
          .send({ error: 'UnsupportedMediaType', message: 'The body must be application/json' });
      let displayName = 'Customer';
      try {
        const body = JSON.parse((req.body as Buffer | undefined)?.toString('utf8') || '{}');
        if (typeof body.displayName === 'string' && body.displayName.trim())
          displayName = body.displayName.trim();
      } catch {
        return reply.code(400).send({ error: 'BadRequest', message: 'The body must be JSON' });
      }
      try {
        if (!d.rateLimits.take(d.instanceId, 'StartChatContact'))
          throw new TooManyRequestsException('Rate exceeded for StartChatContact');
        return await d.provider.startChatContact(
          {
            InstanceId: d.instanceId,
            ContactFlowId: d.flowId,
            ParticipantDetails: { DisplayName: displayName.slice(0, 256) },
            Attributes: { source: 'test-chat' },
            ClientToken: randomUUID(),
          },
          {
            requestId: req.id,
            operation: 'StartChatContact',
            region: d.region,
            caller: { accessKeyId: 'test-chat', accountId: d.accountId },
          },
        );
      } catch (err) {
        if (err instanceof ServiceError)
          return reply.code(err.statusCode).send({ error: err.code, message: err.message });
        throw err;
      }
    });
  };
}

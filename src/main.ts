/**
 * Composition root: config → adapters → domain → edges → HTTP server. Adapters are chosen
 * here, once; everything below sees only ports.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import { randomIds, type IdGenerator } from './ports/ids.ts';
import type { Store } from './ports/store.ts';
import { openSqliteStore } from './adapters/store/sqlite/sqlite-store.ts';
import { AccessKeys } from './aws/auth/access-keys.ts';
import { InstanceService } from './domain/instances/instance-service.ts';
import { ResourceService } from './domain/resources/resource-service.ts';
import { ContactService } from './domain/contacts/contact-service.ts';
import { AdminProvider } from './services/connect/admin-provider.ts';
import { ConnectProvider } from './services/connect/provider.ts';
import { connectEdge } from './services/connect/edge.ts';
import { buildApp } from './http/app.ts';
import { bootstrap, writeCredentialFiles, type BootstrapInfo } from './bootstrap.ts';
import { LocalEventBus } from './adapters/bus/local-event-bus.ts';
import { FsBlobStore } from './adapters/blob/fs-blob-store.ts';
import { ChatService } from './domain/chat/chat-service.ts';
import { ConnectionTokens } from './domain/chat/connection-tokens.ts';
import { ParticipantProvider } from './services/participant/provider.ts';
import { allowBrowsers, participantEdge } from './services/participant/edge.ts';
import { attachChatGateway, CHAT_WEBSOCKET_PATH } from './gateway/chat-gateway.ts';
import { ChatFlows } from './domain/chat/chat-flows.ts';
import { FlowEngine } from './domain/flows/engine.ts';
import { logOptions } from './log.ts';
import { Router, RoutingChanges, announce } from './domain/routing/router.ts';
import { AgentService } from './domain/agents/agent-service.ts';
import { agentEdge, AGENT_API } from './services/agent/edge.ts';
import { attachAgentGateway } from './gateway/agent-gateway.ts';
import { webPages } from './web/pages.ts';

export interface RunningNode {
  url: string;
  info: BootstrapInfo;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface NodeOverrides {
  clock?: Clock;
  ids?: IdGenerator;
}

export async function startNode(config: Config, overrides: NodeOverrides = {}): Promise<RunningNode> {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store: Store = await openSqliteStore(join(config.dataDir, 'localconnect.db'));
  try {
    const accessKeys = await AccessKeys.load(store);
    const instances = new InstanceService(clock, ids);
    const resources = new ResourceService(clock, ids);
    // app is built below; a subscriber can only fail once the node serves.
    const bus = new LocalEventBus((err, topic) => app.log.error({ err, topic }, 'event subscriber failed'));
    let websocketBase = '';
    const router = new Router({ clock, offerTimeoutMs: config.offerTimeoutMs });
    const chats = new ChatService({
      store,
      clock,
      ids,
      bus,
      blobs: new FsBlobStore(join(config.dataDir, 'blobs')),
      tokens: new ConnectionTokens(await tokenKey(store)),
      onError: (err) => app.log.error({ err }, 'after-chat work failed'),
      websocketUrl: (token) => `${websocketBase}${CHAT_WEBSOCKET_PATH}?token=${token}`,
      onEnded: async (tx, contact) => {
        const changes = new RoutingChanges();
        await router.contactEnded(tx, contact, changes);
        return () => announce(bus, changes);
      },
    });
    const flows = new ChatFlows({
      store,
      clock,
      bus,
      engine: new FlowEngine({ clock }),
      chats,
      resources,
      enqueue: async (tx, contact, queueId) => {
        const changes = new RoutingChanges();
        await router.enqueue(tx, contact, queueId, changes);
        return () => announce(bus, changes);
      },
      onError: (err, contactId) => app.log.error({ err, contactId }, 'contact flow failed'),
    });
    const contacts = new ContactService({
      store,
      clock,
      ids,
      instances,
      resources,
      chats,
      limits: { activeChatsPerInstance: config.quotas.activeChatsPerInstance },
      onChatStarted: (contact) => void flows.start(contact),
    });
    const info = await bootstrap(config, { store, clock, ids, instances, resources, accessKeys });
    const agents = new AgentService({ store, clock, ids, bus, router, chats, accountId: config.accountId });
    await agents.resetPresence();
    const provider = new ConnectProvider(contacts, new AdminProvider(store, instances, resources), {
      store,
      clock,
      instances,
      resources,
      agents,
      router,
    });
    const app = buildApp({
      bodyLimit: config.bodyLimit,
      logger: logOptions(config.logLevel),
      services: [
        connectEdge({ provider, accessKeys, clock, quotas: config.quotas, region: config.region }),
        participantEdge(new ParticipantProvider(chats), config.region),
      ],
      before: allowBrowsers,
      plugins: [
        { prefix: AGENT_API, plugin: agentEdge(agents) },
        {
          prefix: '/',
          plugin: webPages({
            provider,
            accountId: config.accountId,
            instanceId: info.instanceId,
            flowId: info.inboundFlowId,
            region: config.region,
          }),
        },
      ],
    });
    const gateway = attachChatGateway(app.server, chats, bus, app.log);
    const agentGateway = attachAgentGateway({ server: app.server, agents, store, bus, clock, log: app.log });
    // Chats whose duration ran out end, and flows waiting on a timer wake, within a second of
    // their time by the node's clock.
    // Offers time out, and queue delays pass, within a second too.
    const expiry = setInterval(() => {
      chats.expireDue().catch((err) => app.log.error({ err }, 'chat expiry failed'));
      flows.wakeDue();
      agents.tick().catch((err) => app.log.error({ err }, 'routing upkeep failed'));
    }, 1000);
    expiry.unref();
    // Sockets first: the HTTP server's close waits for every connection, upgraded ones too.
    app.addHook('preClose', async () => {
      clearInterval(expiry);
      gateway.close();
      agentGateway.close();
      flows.close();
    });
    app.addHook('onClose', async () => {
      await agentGateway.settled();
      await flows.settled();
      await chats.settled();
      await store.close();
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // chatjs accepts plain ws:// only at 127.0.0.1; elsewhere a TLS proxy must front the node.
    websocketBase = `ws://${['0.0.0.0', '::', 'localhost'].includes(config.host) ? '127.0.0.1' : config.host}:${port}`;
    const key = accessKeys.lookup(info.accessKeyId)!;
    writeCredentialFiles(info.files, url, config.region, { accessKeyId: info.accessKeyId, ...key });
    return { url, info, app, close: () => app.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The key that signs connection and websocket tokens, shared by every node through the store. */
async function tokenKey(store: Store): Promise<Buffer> {
  const hex = await store.transaction(async (tx) => {
    const existing = await tx.meta.get('connection-token-key');
    if (existing) return existing;
    const created = randomBytes(32).toString('hex');
    await tx.meta.set('connection-token-key', created);
    return created;
  });
  return Buffer.from(hex, 'hex');
}

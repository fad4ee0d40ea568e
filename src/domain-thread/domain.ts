/**
 * The domain half of a node: the store and every domain service, wired together. It runs on
 * the node's domain thread (domain-thread.ts), so that the store's work and the flows never
 * hold up the main thread's HTTP and websockets. The main thread reaches it through the
 * targets in `DomainTargets`; events it publishes are forwarded to the main thread's bus.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { IdGenerator } from '../ports/ids.ts';
import type { Log } from '../ports/log.ts';
import type { AccessKeyRecord, Store } from '../ports/store.ts';
import { openSqliteStore } from '../adapters/store/sqlite/sqlite-store.ts';
import { FsBlobStore } from '../adapters/blob/fs-blob-store.ts';
import { AccessKeys } from '../aws/auth/access-keys.ts';
import { InstanceService } from '../domain/instances/instance-service.ts';
import { ResourceService } from '../domain/resources/resource-service.ts';
import { ContactService } from '../domain/contacts/contact-service.ts';
import { CHAT_EXPIRY, ChatService } from '../domain/chat/chat-service.ts';
import { ConnectionTokens } from '../domain/chat/connection-tokens.ts';
import { FlowRunner, FLOW_INPUT, FLOW_WAKE } from '../domain/flows/flow-runner.ts';
import { ChatFlowChannel } from '../domain/chat/chat-flow-channel.ts';
import { ChatLifecycle } from '../domain/chat/chat-lifecycle.ts';
import { ChatItems } from '../domain/chat/chat-items.ts';
import { ContactLifecycle } from '../domain/contacts/contact-lifecycle.ts';
import { InboundFlows } from '../domain/contacts/contact-lookups.ts';
import {
  CALL_JOIN_WINDOW,
  CALL_MEDIA_LEASE,
  MediaPlacementUrls,
  WebCalls,
} from '../domain/calls/web-calls.ts';
import { CallLifecycle } from '../domain/calls/call-lifecycle.ts';
import { CallFlowChannel } from '../domain/calls/call-flow-channel.ts';
import { DueRunner } from '../domain/due/due-runner.ts';
import { nodeId } from '../node-id.ts';
import { backfillDueWork } from '../domain/due/due-backfill.ts';
import { ChatStreams } from '../domain/streaming/chat-streams.ts';
import { TranscriptArchive } from '../domain/chat/transcript-archive.ts';
import { FlowEngine } from '../domain/flows/engine.ts';
import { OFFER_TIMEOUT, QUEUE_DELAY, Router } from '../domain/routing/router.ts';
import { AgentService } from '../domain/agents/agent-service.ts';
import { WorkerPasswordHasher } from '../adapters/password/worker-password-hasher.ts';
import { MemorySignInGuard } from '../adapters/sign-in/memory-sign-in-guard.ts';
import { AdminProvider } from '../services/connect/admin-provider.ts';
import { ConnectProvider } from '../services/connect/provider.ts';
import { ParticipantProvider } from '../services/participant/provider.ts';
import { CHAT_WEBSOCKET_PATH } from '../gateway/chat-gateway.ts';
import { bootstrap, markProvisioned, type BootstrapInfo } from '../bootstrap.ts';
import { NodeDelivery, type MetricsText } from '../outbox/node-delivery.ts';

/** What the main thread calls, by name. */
export interface DomainTargets {
  connect: ConnectProvider;
  participant: ParticipantProvider;
  agents: AgentService;
  chats: ChatService;
  calls: WebCalls;
  node: DomainControl;
}

/** The domain thread's own lifecycle, as the main thread drives it. */
export interface DomainControl {
  /** Where the chat websocket is, once the main thread listens, and the origin its meetings' URLs name. */
  setWebsocketBase(base: string, mediaBase: string): void;
  /** The first start's files are written (bootstrap.ts). */
  provisioned(): Promise<void>;
  /** The node's figures in Prometheus's text format (the outbox's backlog and deliveries). */
  metrics(): Promise<MetricsText>;
  /** Stops the timers and flows, finishes the work under way, closes the store. */
  close(): Promise<void>;
}

export interface Domain {
  info: BootstrapInfo;
  accessKeys: AccessKeyRecord[];
  targets: DomainTargets;
}

export async function buildDomain(
  config: Config,
  clock: Clock,
  ids: IdGenerator,
  bus: EventBus,
  log: Log,
): Promise<Domain> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store: Store = await openSqliteStore(join(config.dataDir, 'localconnect.db'), {
    onCommitError: (err) => log.error({ err }, 'work after a commit failed'),
  });
  const passwords = new WorkerPasswordHasher();
  // Delivers what the outbox holds for SNS, S3 and the node's blobs; nudge its worker when an
  // entry is added.
  const blobs = new FsBlobStore(join(config.dataDir, 'blobs'));
  const delivery = new NodeDelivery(config, { store, clock, log, blobs });
  try {
    const accessKeys = await AccessKeys.load(store);
    const instances = new InstanceService(clock, ids);
    const resources = new ResourceService(clock, ids);
    let websocketBase = '';
    const router = new Router({ clock, offerTimeoutMs: config.offerTimeoutMs });
    const queued = () => delivery.worker.nudge();
    const streams = new ChatStreams({ clock, onQueued: queued });
    const items = new ChatItems({ clock, ids, bus, streams });
    const transcripts = new TranscriptArchive({ clock, onQueued: queued });
    const lifecycle = new ContactLifecycle({
      clock,
      ids,
      log,
      bus,
      router,
      channels: { CHAT: new ChatLifecycle(items, transcripts), VOICE: new CallLifecycle(bus) },
    });
    const flows: FlowRunner = new FlowRunner({
      store,
      clock,
      engine: new FlowEngine({ clock }),
      channels: { CHAT: new ChatFlowChannel(items, lifecycle), VOICE: new CallFlowChannel(bus, lifecycle) },
      resources,
      lifecycle,
      onError: (err, contactId) => log.error({ err, contactId }, 'contact flow failed'),
      dueNow: () => void due.poke(),
    });
    const chats = new ChatService({
      store,
      clock,
      tokens: new ConnectionTokens(await tokenKey(store)),
      items,
      lifecycle,
      flows,
      websocketUrl: (token) => `${websocketBase}${CHAT_WEBSOCKET_PATH}?token=${token}`,
    });
    const due = new DueRunner({
      store,
      clock,
      log,
      owner: nodeId(config.dataDir),
      handlers: {
        [FLOW_WAKE]: (item, owner) => flows.resumeDue(item, owner),
        [FLOW_INPUT]: (item, owner) => flows.resumeDue(item, owner),
        [CHAT_EXPIRY]: (item) => chats.expire(item),
        [CALL_JOIN_WINDOW]: (item) => calls.joinWindowPassed(item),
        [CALL_MEDIA_LEASE]: (item, owner) => calls.mediaLost(item, owner),
        [OFFER_TIMEOUT]: (item, owner) => agents.offerTimedOut(item, owner),
        [QUEUE_DELAY]: (item, owner) => agents.queueDelayPassed(item, owner),
      },
    });
    const inboundFlows = new InboundFlows(resources);
    const contacts = new ContactService({
      store,
      clock,
      ids,
      instances,
      resources,
      inboundFlows,
      chats,
      streams,
      bus,
      limits: { activeChatsPerInstance: config.quotas.activeChatsPerInstance },
      items,
      lifecycle,
      flows,
    });
    const placement = new MediaPlacementUrls();
    const calls = new WebCalls({
      store,
      clock,
      ids,
      instances,
      inboundFlows,
      lifecycle,
      flows,
      placement,
      region: config.region,
      limits: { activeCallsPerInstance: config.quotas.activeCallsPerInstance },
    });
    const info = await bootstrap(config, { store, clock, ids, instances, resources, accessKeys, passwords });
    const agents = new AgentService({
      store,
      clock,
      ids,
      bus,
      log,
      router,
      chats,
      calls,
      lifecycle,
      accountId: config.accountId,
      passwords,
      signInGuard: new MemorySignInGuard(clock),
    });
    // Before the presence reset, which withdraws the offers it schedules: it runs once, and writes
    // what data from before due work needs whatever this node does next.
    await backfillDueWork({ store, chats, flows, router, accountId: config.accountId });
    await agents.resetPresence();
    delivery.worker.start();
    const connect = new ConnectProvider(
      contacts,
      calls,
      new AdminProvider(store, instances, resources, passwords),
      {
        store,
        clock,
        instances,
        resources,
        agents,
        router,
      },
    );
    // Flows waiting on a timer or a customer's message go on, chats whose duration ran out end,
    // offers time out and queue delays pass, whichever node made them due, within a second of
    // their time by the node's clock.
    due.start();
    const upkeep = setInterval(() => {
      agents.removeExpiredSessions().catch((err) => log.error({ err }, 'removing expired sessions failed'));
    }, 1000);
    upkeep.unref();
    const node: DomainControl = {
      setWebsocketBase: (base, mediaBase) => {
        websocketBase = base;
        placement.base = mediaBase;
      },
      provisioned: () => markProvisioned(store),
      metrics: () => delivery.scrape(),
      close: async () => {
        clearInterval(upkeep);
        await due.close();
        await flows.settled();
        await delivery.close();
        await passwords.close();
        await store.close();
      },
    };
    const keys = await store.transaction((tx) => tx.accessKeys.list());
    return {
      info,
      accessKeys: keys,
      targets: { connect, participant: new ParticipantProvider(chats), agents, chats, calls, node },
    };
  } catch (err) {
    await delivery.close();
    await passwords.close();
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

/**
 * Composition root of a node: the domain thread (domain-thread/: the store and every domain
 * service) and, on the main thread, the HTTP server with the AWS edges, the workspace API, the
 * pages and the websocket gateways, which reach the domain through typed proxies. Adapters are
 * chosen once (domain-thread/domain.ts); everything below sees only ports.
 */
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { ManualClock, systemClock, type Clock } from './ports/clock.ts';
import { AccessKeys } from './aws/auth/access-keys.ts';
import type { ConnectProvider } from './services/connect/provider.ts';
import { connectEdge } from './services/connect/edge.ts';
import { buildApp } from './http/app.ts';
import { writeCredentialFiles, type BootstrapInfo } from './bootstrap.ts';
import type { ChatService } from './domain/chat/chat-service.ts';
import type { ParticipantProvider } from './services/participant/provider.ts';
import { allowBrowsers, participantEdge } from './services/participant/edge.ts';
import { attachChatGateway } from './gateway/chat-gateway.ts';
import { attachSignalingGateway } from './media/signaling/signaling-gateway.ts';
import { eventIngestion } from './media/event-ingestion.ts';
import { MediaPlane } from './media/media-plane.ts';
import { ThreadedCallAudio } from './media/audio/threaded-call-audio.ts';
import type { WebCalls } from './domain/calls/web-calls.ts';
import { createLogs } from './log.ts';
import type { AgentService } from './domain/agents/agent-service.ts';
import { agentEdge, AGENT_API } from './services/agent/edge.ts';
import { attachAgentGateway } from './gateway/agent-gateway.ts';
import { webPages } from './web/pages.ts';
import { OriginPolicy } from './http/origin-policy.ts';
import { ApiRateLimits } from './quotas.ts';
import { Caller } from './domain-thread/rpc.ts';
import type { DomainControl } from './domain-thread/domain.ts';
import type { ToMain } from './domain-thread/messages.ts';
import { MainThreadBus, type TopicMessage } from './domain-thread/event-bridge.ts';
import { metricsEndpoint, metricsToken } from './http/metrics-endpoint.ts';

export interface RunningNode {
  url: string;
  info: BootstrapInfo;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface NodeOverrides {
  /** A ManualClock (tests): the domain thread reads the same time. */
  clock?: Clock;
}

export async function startNode(config: Config, overrides: NodeOverrides = {}): Promise<RunningNode> {
  const clock = overrides.clock ?? systemClock;
  // Everything below the edges runs on the domain thread; a test's ManualClock is shared with it.
  const worker = new Worker(new URL('./domain-thread/domain-thread.ts', import.meta.url), {
    workerData: { config, clockBuffer: clock instanceof ManualClock ? clock.buffer : undefined },
  });
  const { log, allowListed } = createLogs(config.logLevel, config.logFormat);
  // app is built once the domain is up; events reach its gateways through this bus.
  const bus = new MainThreadBus(
    (m: TopicMessage) => worker.postMessage(m),
    (err, topic) => log.error({ err, topic }, 'event subscriber failed'),
  );
  const started = Promise.withResolvers<Extract<ToMain, { ready: unknown }>['ready']>();
  const domain = new Caller(worker, (m: ToMain) => {
    if ('event' in m) bus.deliver(m);
    else if ('log' in m) {
      const { level, msg, ...fields } = m.log;
      allowListed[level](fields, msg);
    } else if ('ready' in m) started.resolve(m.ready);
    else if ('failed' in m)
      started.reject(Object.assign(new Error(m.failed.message), { stack: m.failed.stack }));
  });
  let closing = false;
  // The HTTP server, once built: the domain thread stopping closes it.
  const serving: { app?: FastifyInstance } = {};
  worker.on('error', (err) => {
    started.reject(err);
    log.error({ err }, 'the domain thread failed');
  });
  worker.once('exit', (code) => {
    started.reject(new Error(`the domain thread exited (${code})`));
    domain.failAll(new Error('the domain thread has stopped'));
    // A node without its domain can only fail requests: stop serving, so a supervisor restarts it.
    if (!closing && serving.app) {
      log.error({ code }, 'the domain thread stopped; closing the node');
      void serving.app.close();
    }
  });
  let ready;
  try {
    ready = await started.promise;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const { info } = ready;
  const accessKeys = AccessKeys.of(ready.accessKeys);
  const provider = domain.proxy<ConnectProvider>('connect');
  const agents = domain.proxy<AgentService>('agents');
  const chats = domain.proxy<ChatService>('chats');
  const calls = domain.proxy<WebCalls>('calls');
  const control = domain.proxy<DomainControl>('node');
  const origins = new OriginPolicy(config.publicOrigins);
  const rateLimits = new ApiRateLimits(config.quotas, clock);
  const app = buildApp({
    bodyLimit: config.bodyLimit,
    logger: log,
    callLog: allowListed,
    services: [
      connectEdge({ provider, accessKeys, clock, rateLimits, region: config.region }),
      participantEdge(domain.proxy<ParticipantProvider>('participant'), config.region),
    ],
    before: allowBrowsers,
    plugins: [
      { prefix: AGENT_API, plugin: agentEdge(agents, origins) },
      { prefix: '/', plugin: metricsEndpoint(metricsToken(config), () => control.metrics()) },
      { prefix: '/', plugin: eventIngestion(calls) },
      {
        prefix: '/',
        plugin: webPages({
          provider,
          accountId: config.accountId,
          instanceId: info.instanceId,
          flowId: info.inboundFlowId,
          region: config.region,
          origins,
          rateLimits,
          testPages: config.testPages,
        }),
      },
    ],
  });
  serving.app = app;
  const gateway = attachChatGateway(app.server, chats, bus, app.log);
  const agentGateway = attachAgentGateway({
    server: app.server,
    agents,
    bus,
    clock,
    log: app.log,
    origins,
  });
  const media = new MediaPlane({
    bus,
    events: calls,
    audio: new ThreadedCallAudio(),
    media: config.media,
    log: app.log,
    now: () => clock.now(),
  });
  const signaling = attachSignalingGateway(app.server, calls, media, app.log, () => clock.now());
  // Sockets first: the HTTP server's close waits for every connection, upgraded ones too.
  app.addHook('preClose', async () => {
    gateway.close();
    agentGateway.close();
    signaling.close();
  });
  app.addHook('onClose', async () => {
    closing = true;
    await agentGateway.settled();
    // (Refused at once if the domain thread has already stopped.)
    await control.close().catch(() => undefined);
    await worker.terminate();
    log.flush();
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  origins.listening(config.host, port);
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // chatjs accepts plain ws:// only at 127.0.0.1; elsewhere a TLS proxy must front the node.
  const websocketBase = `ws://${['0.0.0.0', '::', 'localhost'].includes(config.host) ? '127.0.0.1' : config.host}:${port}`;
  await control.setWebsocketBase(websocketBase, config.media.origin ?? websocketBase);
  const key = accessKeys.lookup(info.accessKeyId)!;
  writeCredentialFiles(info.files, url, config.region, { accessKeyId: info.accessKeyId, ...key });
  if (info.firstStart) await control.provisioned();
  return { url, info, app, close: () => app.close() };
}

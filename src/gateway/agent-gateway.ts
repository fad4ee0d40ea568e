/**
 * The agent workspace's event stream (docs/agent-workspace-api.md, Events): a websocket per
 * open workspace, authenticated by the session cookie, that pushes the agent's whole state
 * whenever routing changes it — so the workspace never polls. An agent with no socket open is
 * offered nothing (the Router counts sockets as `online`).
 *
 * Queue figures change with every contact anywhere in the instance; they are computed once
 * per instance and pushed at most once a second. The agent's own changes (an offer, a status)
 * go out at once.
 */
import type { Server } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { WebSocket } from 'ws';
import { topics, type EventBus, type Unsubscribe } from '../ports/event-bus.ts';
import type { Clock } from '../ports/clock.ts';
import { ALL_SESSIONS, type AgentService, type Session } from '../domain/agents/agent-service.ts';
import type { AgentEventsMessage, QueueStats } from '../domain/agents/workspace-api.ts';
import { AGENT_API, AGENT_COOKIE, fromOurPages } from '../services/agent/edge.ts';
import type { OriginPolicy } from '../http/origin-policy.ts';
import { attachWebSocketEndpoint, type EndpointLog } from './websocket-endpoint.ts';

export const AGENT_EVENTS_PATH = `${AGENT_API}/events`;
const STATS_INTERVAL_MS = 1000;
/** Workspaces refreshed at once with new queue figures. */
const REFRESH_AT_ONCE = 16;

export interface AgentGateway {
  /** Closes every socket (before the HTTP server closes: it waits for upgraded sockets too). */
  close(): void;
  /** Resolves when the work sockets started has finished (before the store closes). */
  settled(): Promise<void>;
}

interface Log extends EndpointLog {
  error(obj: object, msg: string): void;
}

interface Deps {
  server: Server;
  agents: AgentService;
  bus: EventBus;
  clock: Clock;
  log: Log;
  origins: OriginPolicy;
}

/** One open workspace. */
interface Client {
  ws: WebSocket;
  session: Session;
  pushing: boolean;
  dirty: boolean;
}

interface InstanceStats {
  at: number;
  stats: Promise<QueueStats[]>;
  clients: Set<Client>;
  unsubscribe: Unsubscribe;
  timer?: NodeJS.Timeout;
}

export function attachAgentGateway(d: Deps): AgentGateway {
  const instances = new Map<string, InstanceStats>();
  const work = new Set<Promise<unknown>>();
  let closing = false;
  const track = (p: Promise<unknown>): Promise<unknown> => {
    const tracked = p.catch((err) => d.log.error({ err }, 'agent event stream failed'));
    work.add(tracked);
    void tracked.finally(() => work.delete(tracked));
    return tracked;
  };

  /**
   * New queue figures go to every workspace of the instance, a few at a time: each push reads the
   * agent's view (its contacts, their customers), and hundreds read at once queue ahead of
   * routing's own transactions, holding offers back by tens of milliseconds (performance notes).
   */
  const refresh = async (instanceId: string, clients: Client[]): Promise<void> => {
    // Figures read now, whatever the cache holds: the timer that called this may fire a hair
    // before STATS_INTERVAL_MS has passed by the clock, and the cache would still be the old ones.
    statsOf(instanceId, true);
    for (let i = 0; i < clients.length && !closing; i += REFRESH_AT_ONCE)
      await Promise.all(clients.slice(i, i + REFRESH_AT_ONCE).map(push));
  };

  const statsOf = (instanceId: string, fresh = false): Promise<QueueStats[]> => {
    const entry = instances.get(instanceId)!;
    const now = d.clock.now();
    if (fresh || now - entry.at >= STATS_INTERVAL_MS) {
      entry.at = now;
      entry.stats = d.agents.queueStats(instanceId);
    }
    return entry.stats;
  };

  /**
   * Sends the agent's state; pushes asked for meanwhile coalesce into one more. Resolves when this
   * push is done (at once when it was coalesced into one under way).
   */
  const push = (client: Client): Promise<unknown> => {
    if (client.pushing) {
      client.dirty = true;
      return Promise.resolve();
    }
    client.pushing = true;
    client.dirty = false;
    const { instanceId } = client.session;
    return track(
      (async () => {
        // A workspace that closed before its first push has nothing to be sent.
        if (client.ws.readyState !== client.ws.OPEN) return;
        const stats = await statsOf(instanceId);
        const state = await d.agents.view(client.session, stats);
        endpoint.send(client.ws, JSON.stringify({ type: 'state', state } satisfies AgentEventsMessage));
      })().finally(() => {
        client.pushing = false;
        if (client.dirty) push(client);
      }),
    );
  };

  const join = (client: Client): Unsubscribe => {
    const { instanceId, userId } = client.session;
    let entry = instances.get(instanceId);
    if (!entry) {
      const created: InstanceStats = {
        at: 0,
        stats: Promise.resolve([]),
        clients: new Set(),
        unsubscribe: () => {},
      };
      // Queue figures: recomputed and pushed to every workspace of the instance, at most once a second.
      created.unsubscribe = d.bus.subscribe(topics.queues(instanceId), () => {
        if (created.timer) return;
        const wait = Math.max(0, created.at + STATS_INTERVAL_MS - d.clock.now());
        created.timer = setTimeout(() => {
          created.timer = undefined;
          void refresh(instanceId, [...created.clients]);
        }, wait);
      });
      instances.set(instanceId, created);
      entry = created;
    }
    entry.clients.add(client);
    const own = d.bus.subscribe(topics.agent(instanceId, userId), (event) => {
      const signedOut = (event as { signedOut?: string }).signedOut;
      if (signedOut === undefined) return push(client);
      if (signedOut !== client.session.id && signedOut !== ALL_SESSIONS) return;
      client.ws.send(JSON.stringify({ type: 'signedOut' } satisfies AgentEventsMessage));
      client.ws.close(1000, 'Signed out');
    });
    return () => {
      own();
      entry.clients.delete(client);
      if (entry.clients.size === 0) {
        clearTimeout(entry.timer);
        entry.unsubscribe();
        instances.delete(instanceId);
      }
    };
  };

  const serve = (ws: WebSocket, session: Session) => {
    const client: Client = { ws, session, pushing: false, dirty: false };
    const leave = join(client);
    // The workspace sends nothing; anything it does send is ignored.
    ws.on('message', () => {});
    ws.on('close', () => {
      leave();
      // At shutdown the next start resets everyone's presence (AgentService.resetPresence).
      if (!closing) track(d.agents.setOnline(session, -1));
    });
    track(d.agents.setOnline(session, 1).then(() => push(client)));
  };

  const endpoint = attachWebSocketEndpoint<Session>({
    server: d.server,
    path: AGENT_EVENTS_PATH,
    name: 'agent events',
    maxPayload: 4096,
    log: d.log,
    authenticate: async (req) => {
      if (!fromOurPages(d.origins, req.headers.origin)) return '403 Forbidden';
      const token = fastifyCookie.parse(req.headers.cookie ?? '')[AGENT_COOKIE];
      return (await d.agents.authenticate(token)) ?? '401 Unauthorized';
    },
    serve,
  });

  return {
    close() {
      closing = true;
      endpoint.close();
      for (const entry of instances.values()) clearTimeout(entry.timer);
    },
    async settled() {
      while (work.size > 0) await Promise.all([...work]);
    },
  };
}

/**
 * Offer latency: the time from TransferContactToQueue (the moment routing queues the contact,
 * which the offer carries as enqueuedAt) to the offer arriving on the agent's workspace event
 * socket, against a real node (its own process, SQLite in a temp dir).
 *
 * 200 agents (each with chat concurrency 10) are signed in with their workspace sockets open
 * and Available; 2,000 chats are started at a steady rate and none is accepted, so by the end
 * every agent holds 10 offers and 2,000 contacts sit in the queue: each routing decision is made
 * with the queue and the agents filling up.
 *
 * Baseline, in the same run: a bare `node:http` + `ws` server that, on a POST naming an agent,
 * stamps the time and pushes a frame to that agent's socket — the request → push path with no
 * routing, no storage and no state to build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  ConnectClient,
  CreateRoutingProfileCommand,
  CreateUserCommand,
  ListQueuesCommand,
  ListSecurityProfilesCommand,
  StartChatContactCommand,
} from '@aws-sdk/client-connect';
import { spawnNode, tempDir } from '../test/support/node.ts';

const WS_MODULE = createRequire(import.meta.url).resolve('ws');

const BARE_SERVER = `
const http = require('node:http');
const { WebSocketServer } = require(${JSON.stringify(WS_MODULE)});
const agents = new Map();
const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { agent, contactId } = JSON.parse(Buffer.concat(chunks).toString());
    const enqueuedAt = Date.now();
    const ws = agents.get(agent);
    if (ws) ws.send(JSON.stringify({ type: 'state', state: { contacts: [{ contactId, state: 'CONNECTING', enqueuedAt }] } }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
server.on('upgrade', (req, socket, head) => {
  const agent = new URL(req.url, 'http://localhost').searchParams.get('agent');
  wss.handleUpgrade(req, socket, head, (ws) => agents.set(agent, ws));
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

export interface OfferLatency {
  offers: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  seconds: number;
}

export interface RoutingRound {
  localconnect: OfferLatency;
  bare: OfferLatency;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

function summarize(latencies: number[], seconds: number): OfferLatency {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    offers: sorted.length,
    p50ms: percentile(sorted, 0.5),
    p99ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? 0,
    seconds,
  };
}

/** Runs `fn` for 0..n-1 with at most `concurrency` at once. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Calls `fn` `n` times at `rate` a second (never more than `inflight` at once). */
async function paced(n: number, rate: number, fn: (i: number) => Promise<void>): Promise<void> {
  const start = Date.now();
  const running = new Set<Promise<void>>();
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = fn(i).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= 64) await Promise.race(running);
  }
  await Promise.all(running);
}

/** Collects offer latencies from pushed states: first sight of each CONNECTING contact. */
function offerSink() {
  const seen = new Set<string>();
  const latencies: number[] = [];
  let wake: (() => void) | undefined;
  return {
    latencies,
    onFrame(data: WebSocket.RawData) {
      const now = Date.now();
      const event = JSON.parse(String(data));
      if (event.type !== 'state') return;
      for (const c of event.state.contacts as { contactId: string; state: string; enqueuedAt: number }[]) {
        if (c.state !== 'CONNECTING' || seen.has(c.contactId)) continue;
        seen.add(c.contactId);
        latencies.push(now - c.enqueuedAt);
      }
      wake?.();
    },
    async until(n: number, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      while (latencies.length < n && Date.now() < deadline)
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
    },
  };
}

export async function benchRouting(agents: number, chats: number, rate: number): Promise<RoutingRound> {
  const work = tempDir('localconnect-bench-');
  const node = await spawnNode(['--log-level', 'warn', '--offer-timeout', '600'], {
    dataDir: join(work, 'data'),
  });
  let bare: ChildProcess | undefined;
  const sockets: WebSocket[] = [];
  try {
    const connect: ConnectClient = node.connect();
    const InstanceId = node.instanceId;
    const queues = await connect.send(new ListQueuesCommand({ InstanceId, QueueTypes: ['STANDARD'] }));
    const basic = queues.QueueSummaryList!.find((q) => q.Name === 'BasicQueue')!.Id!;
    const profile = await connect.send(
      new CreateRoutingProfileCommand({
        InstanceId,
        Name: 'Bench',
        Description: 'Ten chats per agent',
        DefaultOutboundQueueId: basic,
        MediaConcurrencies: [{ Channel: 'CHAT', Concurrency: 10 }],
        QueueConfigs: [{ QueueReference: { QueueId: basic, Channel: 'CHAT' }, Priority: 1, Delay: 0 }],
      }),
    );
    const security = await connect.send(new ListSecurityProfilesCommand({ InstanceId }));
    const agentProfile = security.SecurityProfileSummaryList!.find((s) => s.Name === 'Agent')!.Id!;
    const password = 'Bench-Passw0rd';
    await pool(agents, 4, async (i) => {
      await connect.send(
        new CreateUserCommand({
          InstanceId,
          Username: `bench${i}`,
          Password: password,
          IdentityInfo: { FirstName: `Bench${i}`, LastName: 'Agent' },
          PhoneConfig: { PhoneType: 'SOFT_PHONE' },
          RoutingProfileId: profile.RoutingProfileId!,
          SecurityProfileIds: [agentProfile],
        }),
      );
    });

    const sink = offerSink();
    await pool(agents, 4, async (i) => {
      const api = `${node.url}/agent/api`;
      const signIn = await fetch(`${api}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `bench${i}`, password }),
      });
      if (signIn.status !== 200) throw new Error(`sign-in ${i}: ${signIn.status} ${await signIn.text()}`);
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
      const state = (await signIn.json()) as { statuses: { id: string; name: string }[] };
      const ws = new WebSocket(`${api.replace(/^http/, 'ws')}/events`, { headers: { cookie } });
      ws.on('message', sink.onFrame);
      await once(ws, 'open');
      sockets.push(ws);
      const available = state.statuses.find((s) => s.name === 'Available')!.id;
      const put = await fetch(`${api}/status`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ statusId: available }),
      });
      if (put.status !== 200) throw new Error(`status ${i}: ${put.status}`);
    });

    const started = Date.now();
    await paced(chats, rate, async (i) => {
      await connect.send(
        new StartChatContactCommand({
          InstanceId,
          ContactFlowId: node.flowId,
          ParticipantDetails: { DisplayName: `Customer ${i}` },
        }),
      );
    });
    await sink.until(chats, 60_000);
    const localconnect = summarize(sink.latencies, (Date.now() - started) / 1000);
    for (const ws of sockets.splice(0)) ws.close();

    // The baseline: the same number of pushes at the same rate, spread over the same sockets.
    bare = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [data] = await once(bare.stdout!, 'data');
    const bareUrl = `http://127.0.0.1:${/port (\d+)/.exec(String(data))![1]}`;
    const bareSink = offerSink();
    for (let i = 0; i < agents; i++) {
      const ws = new WebSocket(`${bareUrl.replace(/^http/, 'ws')}/?agent=${i}`);
      ws.on('message', bareSink.onFrame);
      await once(ws, 'open');
      sockets.push(ws);
    }
    const bareStarted = Date.now();
    await paced(chats, rate, async (i) => {
      const res = await fetch(bareUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent: String(i % agents), contactId: `contact-${i}` }),
      });
      await res.arrayBuffer();
    });
    await bareSink.until(chats, 30_000);
    return { localconnect, bare: summarize(bareSink.latencies, (Date.now() - bareStarted) / 1000) };
  } finally {
    for (const ws of sockets) ws.terminate();
    bare?.kill();
    await node.close();
    rmSync(work, { recursive: true, force: true });
  }
}

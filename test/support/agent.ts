/**
 * An agent workspace driven over the wire, without a browser: the session cookie, the
 * workspace API and its event socket, as docs/agent-workspace-api.md describes them. The
 * browser tests drive the real React workspace; this is for tests of routing through a node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import {
  CreateUserCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
  type ConnectClient,
} from '@aws-sdk/client-connect';
import type { AgentView, CallConnection } from '../../src/domain/agents/workspace-api.ts';

export const adminPassword = (dataDir: string) =>
  readFileSync(join(dataDir, 'admin-password'), 'utf8').trim();

export interface AgentConnection {
  participantId: string;
  connectionToken: string;
  websocketUrl: string;
}

export const AGENT_PASSWORD = 'Agent-Passw0rd';

/** Creates a user with the Agent security profile and the instance's first routing profile. */
export async function createAgentUser(
  connect: ConnectClient,
  instanceId: string,
  username: string,
  firstName = username[0].toUpperCase() + username.slice(1),
): Promise<void> {
  const profiles = await connect.send(new ListRoutingProfilesCommand({ InstanceId: instanceId }));
  const security = await connect.send(new ListSecurityProfilesCommand({ InstanceId: instanceId }));
  await connect.send(
    new CreateUserCommand({
      InstanceId: instanceId,
      Username: username,
      Password: AGENT_PASSWORD,
      IdentityInfo: { FirstName: firstName, LastName: 'Agent' },
      PhoneConfig: { PhoneType: 'SOFT_PHONE' },
      RoutingProfileId: profiles.RoutingProfileSummaryList![0].Id!,
      SecurityProfileIds: [security.SecurityProfileSummaryList!.find((s) => s.Name === 'Agent')!.Id!],
    }),
  );
}

/** A new agent (createAgentUser) signed in over the wire, its event socket open, and Available. */
export async function availableAgent(
  url: string,
  connect: ConnectClient,
  instanceId: string,
  username: string,
): Promise<AgentClient> {
  await createAgentUser(connect, instanceId, username);
  const agent = new AgentClient(url);
  await agent.signIn(username, AGENT_PASSWORD);
  await agent.connect();
  await agent.setStatus('Available');
  return agent;
}

export class AgentClient {
  readonly url: string;
  cookie = '';
  /** Every state the event socket pushed, oldest first. */
  readonly states: AgentView[] = [];
  /** The event socket said the session ended. */
  signedOut = false;
  #socket?: WebSocket;
  #waiters: (() => void)[] = [];

  constructor(url: string) {
    this.url = url;
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}/agent/api${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(this.cookie && { cookie: this.cookie }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Signs in; throws unless it worked. */
  async signIn(username: string, password: string): Promise<AgentView> {
    const res = await this.request('POST', '/session', { username, password });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Opens the event socket and waits for the first state. */
  async connect(): Promise<void> {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/agent/api/events`, {
      headers: { cookie: this.cookie },
    });
    ws.on('message', (data) => {
      const event = JSON.parse(String(data));
      if (event.type === 'state') this.states.push(event.state);
      if (event.type === 'signedOut') this.signedOut = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#socket = ws;
    await this.until(() => true);
  }

  disconnect(): Promise<void> {
    const ws = this.#socket;
    if (!ws || ws.readyState === ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }

  /** Resolves once the event socket has said the session ended and closed. */
  async untilSignedOut(timeoutMs = 5000): Promise<void> {
    const ws = this.#socket!;
    const closed = ws.readyState === ws.CLOSED ? Promise.resolve() : new Promise((r) => ws.once('close', r));
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('socket still open')), timeoutMs)),
    ]);
    if (!this.signedOut) throw new Error('the socket closed without saying the session ended');
  }

  get latest(): AgentView | undefined {
    return this.states.at(-1);
  }

  /** Waits until a pushed state satisfies `test` (the latest one counts); returns it. */
  async until(test: (s: AgentView) => boolean, timeoutMs = 5000): Promise<AgentView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const latest = this.latest;
      if (latest && test(latest)) return latest;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no such agent state within ${timeoutMs} ms; latest: ${JSON.stringify(latest)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sets a status by name. */
  async setStatus(name: string): Promise<AgentView> {
    const state = this.latest ?? (await this.request('GET', '/state')).body;
    const status = state.statuses.find((s: { name: string }) => s.name === name);
    if (!status) throw new Error(`no status ${name}`);
    const res = await this.request('PUT', '/status', { statusId: status.id });
    if (res.status !== 200) throw new Error(`status failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** The contact offered to this agent, once there is one. */
  async offer(contactId?: string, timeoutMs = 5000): Promise<string> {
    const s = await this.until(
      (x) => x.contacts.some((c) => c.state === 'CONNECTING' && (!contactId || c.contactId === contactId)),
      timeoutMs,
    );
    return s.contacts.find((c) => c.state === 'CONNECTING' && (!contactId || c.contactId === contactId))!
      .contactId;
  }

  async command(contactId: string, action: string): Promise<{ status: number; body: any }> {
    return this.request('POST', `/contacts/${contactId}/${action}`, {});
  }

  async accept(contactId: string): Promise<AgentConnection> {
    const res = await this.command(contactId, 'accept');
    if (res.status !== 200) throw new Error(`accept failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Accepts an offered call: the meeting to join as the agent's attendee. */
  async acceptCall(contactId: string): Promise<CallConnection> {
    return (await this.accept(contactId)) as unknown as CallConnection;
  }
}

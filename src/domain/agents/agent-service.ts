/**
 * The agent's side of the contact center: signing in to the workspace, status, and the
 * contacts routing offers them — accept (joining the chat as its AGENT participant), reject,
 * leave, after-contact work. Routing decisions are the Router's; this service loads what it
 * needs, calls it inside one transaction with everything else that changes, and announces the
 * changes once committed.
 *
 * Deviations from Amazon Connect: one session kind (the workspace's cookie) rather than the
 * CCP's federation; an agent's chat ends for the customer when the agent leaves (there is no
 * customer-side "disconnect flow" yet).
 */
import type { Clock } from '../../ports/clock.ts';
import { topics, type EventBus } from '../../ports/event-bus.ts';
import type { Log } from '../../ports/log.ts';
import type { IdGenerator } from '../../ports/ids.ts';
import type {
  ContactRecord,
  DueItem,
  ParticipantRecord,
  ResourceRecord,
  Store,
  StoreTx,
} from '../../ports/store.ts';
import { HasherBusy, type PasswordHasher } from '../../ports/password-hasher.ts';
import type { SignInGuard } from '../../ports/sign-in-guard.ts';
import type { ContactLifecycle } from '../contacts/contact-lifecycle.ts';
import { issueToken, tokenMatches, tokenParticipantId } from '../participant-token.ts';
import { DUMMY_HASH } from '../users/password.ts';
import type { ChatService, Connection } from '../chat/chat-service.ts';
import type { WebCalls } from '../calls/web-calls.ts';
import type { Agent } from '../routing/agent.ts';
import { toAgent } from '../routing/agent.ts';
import { announce, Router, RoutingChanges, RoutingConflict } from '../routing/router.ts';
import { AgentError } from './agent-error.ts';
import { agentView, queueStats } from './agent-view.ts';
import type { AgentConnection, AgentView, CallConnection, QueueStats } from './workspace-api.ts';
import { ensureAgent, statusRef, systemStatus } from './agent-state.ts';

export const SESSION_TTL_MS = 12 * 3600_000;
/** On the agent topic, `{ signedOut }` names the session that ended, or this: all of them. */
export const ALL_SESSIONS = '*';
export interface Session {
  id: string;
  instanceId: string;
  userId: string;
}

export interface AgentServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  bus: EventBus;
  /** Where the contacts' routing steps are logged. */
  log: Log;
  router: Router;
  chats: ChatService;
  /** A call's agent joins its meeting. */
  calls: Pick<WebCalls, 'joinAs'>;
  /** How an agent who accepts is connected, and how a chat an agent leaves ends. */
  lifecycle: ContactLifecycle;
  /** The account whose instances agents sign in to. */
  accountId: string;
  passwords: PasswordHasher;
  signInGuard: SignInGuard;
}

/** What the workspace gets to chat as the agent: the Participant Service's connection. */
export class AgentService {
  readonly #d: AgentServiceDeps;

  constructor(deps: AgentServiceDeps) {
    this.#d = deps;
  }

  // ------------------------------------------------------------------ sessions

  /** Checks the password and opens a session; returns its cookie token. */
  async signIn(
    username: string,
    password: string,
    clientAddress: string,
  ): Promise<{ token: string; session: Session }> {
    const guard = this.#d.signInGuard;
    const wait = await guard.attempt(username, clientAddress);
    if (wait > 0) throw tooManyAttempts(wait);
    const user = await this.#d.store.transaction(async (tx) => {
      for (const instance of (await tx.instances.list(this.#d.accountId, undefined, 100)).items) {
        const found = await tx.resources.findByName(instance.id, 'user', username);
        if (found) return found;
      }
      return undefined;
    });
    // A missing user costs a hash too, so timing does not tell which usernames exist.
    const stored = (user?.body.passwordHash as string | undefined) ?? DUMMY_HASH;
    let right;
    try {
      right = await this.#d.passwords.verify(password, stored);
    } catch (err) {
      if (err instanceof HasherBusy) throw tooManyAttempts(1000);
      throw err;
    }
    if (!right || !user)
      throw new AgentError('InvalidCredentials', 'The username or password is not correct');
    await guard.succeeded(username, clientAddress);
    const id = this.#d.ids.uuid();
    const { token, digest } = issueToken(this.#d.ids, id);
    const now = this.#d.clock.now();
    const session: Session = { id, instanceId: user.instanceId, userId: user.id };
    await this.#d.store.transaction(async (tx) => {
      await tx.sessions.put({ ...session, digest, createdAt: now, expiresAt: now + SESSION_TTL_MS });
      await ensureAgent(tx, user, this.#d.clock.now());
    });
    return { token, session };
  }

  /** The live session a cookie token names, or undefined. */
  async authenticate(token: string | undefined): Promise<Session | undefined> {
    const id = token && tokenParticipantId(token);
    if (!id) return undefined;
    const record = await this.#d.store.transaction(async (tx) => {
      const found = await tx.sessions.get(id);
      // A deleted user's sessions end with them.
      return found && (await tx.resources.get(found.instanceId, 'user', found.userId)) ? found : undefined;
    });
    if (!record || record.expiresAt <= this.#d.clock.now() || !tokenMatches(token, record.digest))
      return undefined;
    return { id: record.id, instanceId: record.instanceId, userId: record.userId };
  }

  /**
   * Ends the session: the agent goes Offline, offers not yet accepted go back to their queues,
   * and the agent leaves the chats they are in (see leaveChats).
   */
  async signOut(session: Session): Promise<void> {
    await this.#change(session, async (tx, agent, changes) => {
      await tx.sessions.remove(session.id);
      const connected = connectedContacts(agent);
      await this.#d.router.setStatus(
        tx,
        agent,
        await systemStatus(tx, session.instanceId, 'OFFLINE'),
        changes,
      );
      await this.#leaveChats(tx, agent, connected);
      // The session's open workspaces learn that it has ended.
      tx.onCommit(() =>
        this.#d.bus.publish(topics.agent(session.instanceId, session.userId), { signedOut: session.id }),
      );
    });
  }

  // ------------------------------------------------------------------ the agent's state

  /** `stats`: the instance's queue figures when the caller has them at hand (queueStats). */
  async view(session: Session, stats?: QueueStats[]): Promise<AgentView> {
    return this.#d.store.transaction((tx) =>
      agentView(tx, session.instanceId, session.userId, this.#d.clock.now(), stats),
    );
  }

  /** Live figures of the instance's queues (the events socket computes them once for every agent). */
  async queueStats(instanceId: string): Promise<QueueStats[]> {
    return this.#d.store.transaction((tx) => queueStats(tx, instanceId, this.#d.clock.now()));
  }

  async setStatus(session: Session, statusId: string): Promise<void> {
    await this.#change(session, async (tx, agent, changes) => {
      const status = await tx.resources.get(session.instanceId, 'agent-status', statusId);
      if (!status || status.body.State === 'DISABLED')
        throw new AgentError('NotFound', `Agent status ${statusId} not found`);
      await this.#d.router.setStatus(tx, agent, statusRef(status), changes);
    });
  }

  /** A workspace events socket opened (+1) or closed (-1). */
  async setOnline(session: Session, delta: 1 | -1): Promise<void> {
    await this.#change(session, (tx, agent, changes) => this.#d.router.setOnline(tx, agent, delta, changes));
  }

  // ------------------------------------------------------------------ contacts

  /**
   * Accepts an offer: the agent joins the chat, or the call; returns the connection to chat
   * with, or the call's meeting to join.
   */
  async accept(session: Session, contactId: string): Promise<AgentConnection> {
    const joined = await this.#change(session, async (tx, agent, changes) => {
      await this.#d.router.accept(tx, agent, contactId, changes);
      const contact = await this.#liveContact(tx, session, contactId);
      const user = await tx.resources.get(session.instanceId, 'user', session.userId);
      const identity = user?.body.IdentityInfo as { FirstName?: string } | undefined;
      const { participant, token } = await this.#d.lifecycle.connectAgent(tx, contact, {
        userId: session.userId,
        displayName: identity?.FirstName || user?.name || 'Agent',
      });
      return this.#joined(tx, contact, participant.id, token);
    });
    return this.#connect(joined);
  }

  async reject(session: Session, contactId: string): Promise<void> {
    await this.#change(session, (tx, agent, changes) => this.#d.router.reject(tx, agent, contactId, changes));
  }

  /** A fresh connection for a contact the agent is in (a reloaded workspace). */
  async connection(session: Session, contactId: string): Promise<AgentConnection> {
    const joined = await this.#change(session, async (tx, agent) => {
      this.#held(agent, contactId, 'CONNECTED');
      const participant = await this.#agentParticipant(tx, session, contactId);
      // Only a digest of the old token is kept, so the agent's participant gets a new one.
      const issued = issueToken(this.#d.ids, participant.id);
      await tx.participants.update({ ...participant, tokenDigest: issued.digest });
      const contact = await this.#liveContact(tx, session, contactId);
      return this.#joined(tx, contact, participant.id, issued.token);
    });
    return this.#connect(joined);
  }

  /** The agent leaves the chat: it ends (for the customer too, if still there); after-contact work begins. */
  async end(session: Session, contactId: string): Promise<void> {
    await this.#change(session, async (tx, agent) => {
      this.#held(agent, contactId, 'CONNECTED');
      await this.#leaveChat(tx, session, contactId, false);
    });
  }

  /** Ends after-contact work, or dismisses a missed contact. */
  async clear(session: Session, contactId: string): Promise<void> {
    await this.#change(session, (tx, agent, changes) => this.dismiss(tx, agent, contactId, changes));
  }

  // ------------------------------------------------------------------ upkeep

  /** Forgets sessions whose time is up. */
  async removeExpiredSessions(): Promise<void> {
    await this.#d.store.transaction((tx) => tx.sessions.removeExpired(this.#d.clock.now()));
  }

  /** A due offer-timeout item (DueRunner): the agent who still holds the offer has missed it. */
  async offerTimedOut(item: DueItem, owner: string): Promise<void> {
    await this.#due(item, owner, (tx, changes) => this.#d.router.offerTimedOut(tx, item, changes));
  }

  /** A due queue-delay item (DueRunner): the waiting contact goes to whoever the delay now lets take it. */
  async queueDelayPassed(item: DueItem, owner: string): Promise<void> {
    await this.#due(item, owner, (tx, changes) => this.#d.router.delayPassed(tx, item, changes));
  }

  /** At start: no workspace is connected to a node that has just started. */
  async resetPresence(): Promise<void> {
    await this.routing(async (tx, changes) => {
      for (const record of await tx.agents.listAll()) {
        const agent = toAgent(record);
        if (agent.state.online > 0) await this.#d.router.setOnline(tx, agent, -agent.state.online, changes);
      }
    });
  }

  // ------------------------------------------------------------------------------------------

  /**
   * Does a due item's routing work, taking the item in the same transaction: the work is done
   * once, and not at all if the item was scheduled again since it was claimed.
   */
  async #due(
    item: DueItem,
    owner: string,
    work: (tx: StoreTx, changes: RoutingChanges) => Promise<unknown>,
  ): Promise<void> {
    await this.routing(async (tx, changes) => {
      if (await tx.due.done(item.id, owner)) await work(tx, changes);
    });
  }

  /**
   * Runs a command for the session's agent in one transaction, then publishes its chat events
   * and routing changes. Errors from the router become the workspace API's.
   */
  async #change<T>(
    session: Session,
    fn: (tx: StoreTx, agent: Agent, changes: RoutingChanges) => Promise<T>,
  ): Promise<T> {
    try {
      // What fn collects is made inside the transaction: a store may run its body more than once.
      return await this.#d.store.transaction(async (tx) => {
        const record = await tx.agents.get(session.instanceId, session.userId);
        if (!record) throw new AgentError('NotSignedIn', 'No agent state for this user');
        const changes = new RoutingChanges();
        const result = await fn(tx, toAgent(record), changes);
        // After the chats' events fn's commands registered.
        tx.onCommit(() => announce(this.#d.bus, this.#d.log, changes));
        return result;
      });
    } catch (err) {
      if (err instanceof RoutingConflict) throw new AgentError('Conflict', err.message);
      throw err;
    }
  }

  #held(agent: Agent, contactId: string, state: string): void {
    if (!agent.state.contacts.some((c) => c.contactId === contactId && c.state === state))
      throw new AgentError('Conflict', `Contact ${contactId} is not ${state.toLowerCase()} for this agent`);
  }

  /**
   * The agent leaves a chat they are connected to, which ends it as their leaving does.
   * `revoked`: their right to it ended with their session, so their own participant.left is
   * the last their sockets get.
   */
  async #leaveChat(tx: StoreTx, agent: Where, contactId: string, revoked: boolean): Promise<void> {
    const contact = await this.#liveContact(tx, agent, contactId);
    const participant = await this.#agentParticipant(tx, agent, contactId);
    // A customer who left first (the agent stayed on) disconnected the contact.
    const reason = contact.details.customerLeftAt !== undefined ? 'CUSTOMER_DISCONNECT' : 'AGENT_DISCONNECT';
    return this.#d.lifecycle.end(tx, contact, reason, { leaving: participant, revoked });
  }

  /**
   * The agent's session ended (sign-out, DeleteUser) while they were in chats: they leave each
   * rather than leave its customer with nobody to answer, their sockets close at once and their
   * connection tokens stop working (the chats end). A chat already over is skipped.
   */
  async #leaveChats(tx: StoreTx, agent: Where, contactIds: string[]): Promise<void> {
    for (const contactId of contactIds) {
      try {
        await this.#leaveChat(tx, agent, contactId, true);
      } catch (err) {
        // Thrown by the look-ups, before anything was written.
        if (!(err instanceof AgentError)) throw err;
      }
    }
  }

  async #liveContact(tx: StoreTx, session: Where, contactId: string): Promise<ContactRecord> {
    const contact = await tx.contacts.get(session.instanceId, contactId);
    if (!contact || contact.state !== 'ACTIVE')
      throw new AgentError('Conflict', `Contact ${contactId} has ended`);
    return contact;
  }

  async #agentParticipant(tx: StoreTx, session: Where, contactId: string): Promise<ParticipantRecord> {
    const contact = await this.#liveContact(tx, session, contactId);
    const id = contact.details.agentInfo?.ParticipantId;
    const participant = id ? await tx.participants.get(id) : undefined;
    if (!participant || participant.leftAt !== undefined)
      throw new AgentError('Conflict', `The agent is not in contact ${contactId}`);
    return participant;
  }

  /** What the agent joins with: a chat's participant token, or a call's meeting (a new attendee token). */
  async #joined(tx: StoreTx, contact: ContactRecord, participantId: string, token: string): Promise<Joined> {
    if (contact.channel !== 'VOICE') return { token };
    const connectionData = await this.#d.calls.joinAs(tx, contact.id, contact.instanceId, participantId);
    return { call: { participantId, connectionData } };
  }

  async #connect(joined: Joined): Promise<AgentConnection> {
    if ('call' in joined) return joined.call;
    const c: Connection = await this.#d.chats.createConnection(joined.token, {
      Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'],
    });
    return {
      participantId: tokenParticipantId(joined.token)!,
      connectionToken: c.ConnectionCredentials!.ConnectionToken,
      websocketUrl: c.Websocket!.Url,
    };
  }

  // ---- for the Connect API

  /**
   * Runs fn in one transaction, then publishes the routing changes it collected: the Connect
   * API's commands that move agents, and the node's own upkeep, make their checks and their
   * changes inside it. The changes are made inside the body: a store may run it more than once.
   */
  async routing<T>(fn: (tx: StoreTx, changes: RoutingChanges) => Promise<T>): Promise<T> {
    return this.#d.store.transaction(async (tx) => {
      const changes = new RoutingChanges();
      const result = await fn(tx, changes);
      tx.onCommit(() => announce(this.#d.bus, this.#d.log, changes));
      return result;
    });
  }

  /**
   * PutUserStatus: the user's agent takes the status, as if they had set it. A user who has
   * never signed in gets an agent state (Offline, no workspace open) first.
   */
  async putStatus(
    tx: StoreTx,
    user: ResourceRecord,
    status: ResourceRecord,
    changes: RoutingChanges,
  ): Promise<void> {
    const agent = await ensureAgent(tx, user, this.#d.clock.now());
    await this.#d.router.setStatus(tx, agent, statusRef(status), changes);
  }

  /** UpdateUserRoutingProfile: the user's agent, if they have signed in, is routed by their new profile at once. */
  async followRoutingProfile(tx: StoreTx, user: ResourceRecord, changes: RoutingChanges): Promise<void> {
    const record = await tx.agents.get(user.instanceId, user.id);
    if (record)
      await this.#d.router.setRoutingProfile(
        tx,
        toAgent(record),
        user.body.RoutingProfileId as string,
        changes,
      );
  }

  /**
   * DeleteUser, before the user is removed: their agent goes Offline, so offers they have not
   * accepted go back to their queues, and leaves the chats they are in (see leaveChats). Their
   * sessions stop working with the user (authenticate). Once committed, every open workspace of
   * the user is closed before the chats' events are published, so no workspace is pushed the
   * state of an agent who no longer exists.
   */
  async retire(tx: StoreTx, user: ResourceRecord, changes: RoutingChanges): Promise<void> {
    const record = await tx.agents.get(user.instanceId, user.id);
    if (!record) return;
    tx.onCommit(() =>
      this.#d.bus.publish(topics.agent(user.instanceId, user.id), { signedOut: ALL_SESSIONS }),
    );
    const agent = toAgent(record);
    const connected = connectedContacts(agent);
    const offline = await systemStatus(tx, user.instanceId, 'OFFLINE');
    await this.#d.router.setStatus(tx, agent, offline, changes);
    await this.#leaveChats(tx, agent, connected);
    // Nobody is left to show the state to.
    changes.agents.delete(`${user.instanceId}/${user.id}`);
  }

  /**
   * DismissUserContact: a missed contact, or one in after-contact work, leaves the agent and
   * the slot is free again (the caller has checked that the agent holds it in such a state).
   */
  async dismiss(tx: StoreTx, agent: Agent, contactId: string, changes: RoutingChanges): Promise<void> {
    await this.#d.router.clear(tx, agent, contactId, changes);
    const contact = await tx.contacts.get(agent.instanceId, contactId);
    const info = contact?.details.agentInfo;
    if (contact && info?.Id === agent.userId && contact.state === 'ENDED') {
      await tx.contacts.update({
        ...contact,
        details: {
          ...contact.details,
          agentInfo: {
            ...info,
            AfterContactWorkStartTimestamp: contact.disconnectTimestamp,
            AfterContactWorkEndTimestamp: this.#d.clock.now(),
          },
        },
      });
    }
  }
}

export { statusRef };

/** What an agent joins a contact with, before a chat's connection is made (outside the transaction). */
type Joined = { token: string } | { call: CallConnection };

/** Where an agent is: the instance, for the look-ups by contact. */
type Where = Pick<Session, 'instanceId'>;

const connectedContacts = (agent: Agent) =>
  agent.state.contacts.filter((c) => c.state === 'CONNECTED').map((c) => c.contactId);

const tooManyAttempts = (waitMs: number) =>
  new AgentError('TooManyAttempts', 'Too many sign-in attempts; wait and try again', {
    retryAfterSeconds: Math.ceil(waitMs / 1000),
  });

/**
 * Routing: which agent is offered which queued contact. Every method runs inside the caller's
 * store transaction, so a decision and the state it was made on commit together: one contact
 * is never offered to two agents and an agent never holds more contacts than their routing
 * profile's concurrency, on one node or many (the Store serializes conflicting transactions).
 *
 * The rules, as Amazon Connect routes:
 * - A queued contact goes to the longest-idle agent who is routable (a ROUTABLE status, a
 *   workspace connected, no missed contact), whose routing profile has the contact's queue on
 *   its channel with the queue's delay passed, and who has a free slot on that channel.
 * - An agent who becomes free takes the waiting contact of their profile's highest-priority
 *   queue (Priority 1 first), oldest first.
 * - An offer stands for `offerTimeoutMs`; a missed offer leaves the agent MISSED (offered
 *   nothing until they clear it or set a status) and goes back to the queue, as does a rejected
 *   one. Agents who passed a contact over are offered it again only when nobody else can take it.
 *
 * What routing must do later is due work in the store, written in the transaction that makes
 * it due, so that whichever node is alive does it, after a restart too: an offer's timeout
 * (offer-timeout, with the offer; gone once it is accepted, rejected or withdrawn), and a
 * waiting contact's next queue delay to pass (queue-delay, while it waits unoffered).
 *
 * Changes are collected in RoutingChanges for the caller to announce once committed, with the
 * contacts' steps (queued, offered, accepted, rejected, missed) for the log.
 */
import type { Clock } from '../../ports/clock.ts';
import { topics, type EventBus } from '../../ports/event-bus.ts';
import type { Log, LogFields } from '../../ports/log.ts';
import type { Channel, ContactRecord, DueItem, QueuedContactRecord, StoreTx } from '../../ports/store.ts';
import {
  freeSlots,
  isRoutable,
  toAgent,
  toRecord,
  type Agent,
  type AgentContact,
  type AgentStatusRef,
  type QueueConfig,
  type RoutingProfileBody,
} from './agent.ts';

export const DEFAULT_OFFER_TIMEOUT_MS = 20_000;

/** The due work routing leaves: an offer's timeout, a waiting contact's next queue delay. */
export const OFFER_TIMEOUT = 'offer-timeout';
export const QUEUE_DELAY = 'queue-delay';

/** What an offer-timeout item carries: whose offer of which contact. */
export interface OfferTimeoutPayload {
  instanceId: string;
  contactId: string;
  agentId: string;
}

/** What a queue-delay item carries: the waiting contact. */
export interface QueueDelayPayload {
  instanceId: string;
  contactId: string;
}

const offerTimeoutId = (contactId: string, agentId: string) => `${OFFER_TIMEOUT}:${contactId}:${agentId}`;
const queueDelayId = (contactId: string) => `${QUEUE_DELAY}:${contactId}`;

/** Waiting contacts looked at per queue when an agent becomes free (past those they passed over). */
const LOOKAHEAD = 10;

/** Whom to tell once the transaction commits. */
export class RoutingChanges {
  /** Agents whose state changed, as instanceId/userId. */
  readonly agents = new Set<string>();
  /** Instances whose queues changed. */
  readonly instances = new Set<string>();
  /** What happened to contacts, in order: a line each for the log. */
  readonly steps: { level: 'info' | 'warn'; msg: string; fields: LogFields }[] = [];

  agent(a: { instanceId: string; userId: string }): void {
    this.agents.add(`${a.instanceId}/${a.userId}`);
  }

  step(level: 'info' | 'warn', msg: string, fields: LogFields): void {
    this.steps.push({ level, msg, fields });
  }
}

/** Logs the contacts' steps and publishes what changed, once the transaction that changed it has committed. */
export function announce(bus: EventBus, log: Log, changes: RoutingChanges): void {
  for (const { level, msg, fields } of changes.steps) log[level](fields, msg);
  for (const key of changes.agents) {
    const [instanceId, userId] = key.split('/');
    bus.publish(topics.agent(instanceId, userId), {});
  }
  for (const instanceId of changes.instances) bus.publish(topics.queues(instanceId), {});
}

/** Routing changes for a command inside `tx`, announced once it commits. */
export function changesAnnouncedOnCommit(tx: StoreTx, bus: EventBus, log: Log): RoutingChanges {
  const changes = new RoutingChanges();
  tx.onCommit(() => announce(bus, log, changes));
  return changes;
}

/** Thrown when a command names a contact the agent does not hold in the state it needs. */
export class RoutingConflict extends Error {}

export interface RouterOptions {
  clock: Clock;
  offerTimeoutMs?: number;
}

export class Router {
  readonly #clock: Clock;
  readonly #offerTimeoutMs: number;

  constructor(options: RouterOptions) {
    this.#clock = options.clock;
    this.#offerTimeoutMs = options.offerTimeoutMs ?? DEFAULT_OFFER_TIMEOUT_MS;
  }

  /** Puts a contact in a queue (TransferContactToQueue) and offers it if an agent can take it. */
  async enqueue(
    tx: StoreTx,
    contact: ContactRecord,
    queueId: string,
    changes: RoutingChanges,
  ): Promise<void> {
    const entry: QueuedContactRecord = {
      instanceId: contact.instanceId,
      contactId: contact.id,
      queueId,
      channel: contact.channel,
      enqueuedAt: this.#clock.now(),
      passedOver: [],
    };
    await tx.queuedContacts.put(entry);
    changes.instances.add(contact.instanceId);
    changes.step('info', 'contact queued', {
      contactId: contact.id,
      instanceId: contact.instanceId,
      channel: contact.channel,
      queueId,
    });
    await this.#routeContact(tx, entry, changes);
  }

  /** A contact has ended: out of its queue, offers withdrawn, the agent's contact to after-contact work. */
  async contactEnded(tx: StoreTx, contact: ContactRecord, changes: RoutingChanges): Promise<void> {
    const entry = await tx.queuedContacts.get(contact.instanceId, contact.id);
    if (entry) {
      await tx.queuedContacts.remove(contact.instanceId, contact.id);
      await tx.due.cancel(queueDelayId(contact.id));
      changes.instances.add(contact.instanceId);
      if (entry.offeredTo) {
        await tx.due.cancel(offerTimeoutId(contact.id, entry.offeredTo));
        const agent = await this.#agent(tx, contact.instanceId, entry.offeredTo);
        if (agent) {
          agent.state.contacts = agent.state.contacts.filter((c) => c.contactId !== contact.id);
          await this.#save(tx, agent, changes);
          await this.#routeAgent(tx, agent, changes);
        }
      }
    }
    const agentId = contact.details.agentInfo?.Id;
    const agent = agentId && (await this.#agent(tx, contact.instanceId, agentId));
    const held = agent && agent.state.contacts.find((c) => c.contactId === contact.id);
    if (agent && held && held.state === 'CONNECTED') {
      held.state = 'ENDED';
      held.since = this.#clock.now();
      await this.#save(tx, agent, changes);
    }
  }

  /** The agent accepts an offer; returns the contact as they now hold it. */
  async accept(tx: StoreTx, agent: Agent, contactId: string, changes: RoutingChanges): Promise<AgentContact> {
    const held = agent.state.contacts.find((c) => c.contactId === contactId);
    const entry = await tx.queuedContacts.get(agent.instanceId, contactId);
    if (!held || held.state !== 'CONNECTING' || entry?.offeredTo !== agent.userId)
      throw new RoutingConflict(`Contact ${contactId} is not offered to this agent`);
    const now = this.#clock.now();
    Object.assign(held, { state: 'CONNECTED', since: now, connectedAt: now });
    delete held.offerExpiresAt;
    await tx.queuedContacts.remove(agent.instanceId, contactId);
    await tx.due.cancel(offerTimeoutId(contactId, agent.userId));
    changes.instances.add(agent.instanceId);
    await this.#save(tx, agent, changes);
    changes.step('info', 'contact accepted', {
      contactId,
      instanceId: agent.instanceId,
      agentId: agent.userId,
    });
    return held;
  }

  /** The agent rejects an offer: back to the queue, to someone else if anyone can take it. */
  async reject(tx: StoreTx, agent: Agent, contactId: string, changes: RoutingChanges): Promise<void> {
    const held = agent.state.contacts.find((c) => c.contactId === contactId);
    if (!held || held.state !== 'CONNECTING')
      throw new RoutingConflict(`Contact ${contactId} is not offered to this agent`);
    agent.state.contacts = agent.state.contacts.filter((c) => c !== held);
    await this.#save(tx, agent, changes);
    changes.step('info', 'contact rejected', {
      contactId,
      instanceId: agent.instanceId,
      agentId: agent.userId,
    });
    // Someone else if anyone can take it; the agent then takes what they have not passed over
    // before, only if nothing else waits, what they have.
    await this.#requeue(tx, agent.instanceId, agent.userId, contactId, true, changes);
    await this.#routeAgent(tx, agent, changes);
  }

  /** Ends after-contact work or dismisses a missed contact; the slot is free again. */
  async clear(tx: StoreTx, agent: Agent, contactId: string, changes: RoutingChanges): Promise<void> {
    const held = agent.state.contacts.find((c) => c.contactId === contactId);
    if (!held || (held.state !== 'ENDED' && held.state !== 'MISSED'))
      throw new RoutingConflict(`Contact ${contactId} is not in after-contact work or missed`);
    agent.state.contacts = agent.state.contacts.filter((c) => c !== held);
    this.#freed(agent);
    await this.#save(tx, agent, changes);
    await this.#routeAgent(tx, agent, changes);
  }

  /**
   * Sets the agent's status. Leaving a routable status puts offers not yet accepted back in
   * their queues; setting a routable one dismisses missed contacts, as the CCP does.
   */
  async setStatus(tx: StoreTx, agent: Agent, status: AgentStatusRef, changes: RoutingChanges): Promise<void> {
    const wasRoutable = isRoutable(agent.state);
    agent.state.status = { ...status, since: this.#clock.now() };
    if (status.type === 'ROUTABLE') {
      agent.state.contacts = agent.state.contacts.filter((c) => c.state !== 'MISSED');
      if (!wasRoutable) this.#freed(agent);
    }
    await this.#afterChange(tx, agent, changes);
  }

  /** A workspace socket opened (+1) or closed (-1). */
  async setOnline(tx: StoreTx, agent: Agent, delta: number, changes: RoutingChanges): Promise<void> {
    const wasRoutable = isRoutable(agent.state);
    agent.state.online = Math.max(0, agent.state.online + delta);
    if (!wasRoutable && isRoutable(agent.state)) this.#freed(agent);
    await this.#afterChange(tx, agent, changes);
  }

  /** The agent moves to another routing profile (UpdateUserRoutingProfile). */
  async setRoutingProfile(
    tx: StoreTx,
    agent: Agent,
    routingProfileId: string,
    changes: RoutingChanges,
  ): Promise<void> {
    agent.state.routingProfileId = routingProfileId;
    await this.#save(tx, agent, changes);
    await this.#routeAgent(tx, agent, changes);
  }

  /**
   * An offer-timeout item is due: if the agent still holds the offer and its time is up by the
   * clock, they missed it. Returns whether they did (an item for an offer since accepted,
   * rejected, withdrawn or made again does nothing).
   */
  async offerTimedOut(tx: StoreTx, item: DueItem, changes: RoutingChanges): Promise<boolean> {
    const { instanceId, contactId, agentId } = item.payload as unknown as OfferTimeoutPayload;
    const entry = await tx.queuedContacts.get(instanceId, contactId);
    if (entry?.offeredTo !== agentId || entry.offerExpiresAt! > this.#clock.now()) return false;
    const agent = await this.#agent(tx, instanceId, agentId);
    const held = agent?.state.contacts.find((c) => c.contactId === contactId);
    if (agent && held) {
      Object.assign(held, { state: 'MISSED', since: this.#clock.now() });
      delete held.offerExpiresAt;
      await this.#save(tx, agent, changes);
    }
    changes.step('warn', 'contact missed', { contactId, instanceId, agentId });
    await this.#requeue(tx, instanceId, agentId, contactId, true, changes);
    return true;
  }

  /** A queue-delay item is due: the contact, if it still waits unoffered, goes to whoever can now take it. */
  async delayPassed(tx: StoreTx, item: DueItem, changes: RoutingChanges): Promise<void> {
    const { instanceId, contactId } = item.payload as unknown as QueueDelayPayload;
    const entry = await tx.queuedContacts.get(instanceId, contactId);
    if (entry && !entry.offeredTo) await this.#routeContact(tx, entry, changes);
  }

  /**
   * Writes the due work a queued contact needs, as routing would have written it: its offer's
   * timeout, or its next queue delay. For data stored before routing kept its timers in the
   * store; scheduling again what is already there changes nothing.
   */
  async scheduleTimers(tx: StoreTx, entry: QueuedContactRecord): Promise<void> {
    if (entry.offeredTo) await this.#scheduleOfferTimeout(tx, entry, entry.offeredTo, entry.offerExpiresAt!);
    else await this.#scheduleDelay(tx, entry, await this.#delays(tx, entry.instanceId));
  }

  /**
   * After a routing profile changed: offers whatever can now be offered in the instance, and
   * waiting contacts are due again when the profiles' delays for them now pass.
   */
  async sweep(tx: StoreTx, instanceId: string, changes: RoutingChanges): Promise<void> {
    for (const record of await tx.agents.list(instanceId)) {
      const agent = toAgent(record);
      if (isRoutable(agent.state)) await this.#routeAgent(tx, agent, changes);
    }
    const delays = await this.#delays(tx, instanceId);
    for (const entry of await tx.queuedContacts.list(instanceId))
      if (!entry.offeredTo) await this.#scheduleDelay(tx, entry, delays);
  }

  // ------------------------------------------------------------------------------------------

  async #afterChange(tx: StoreTx, agent: Agent, changes: RoutingChanges): Promise<void> {
    const pending = isRoutable(agent.state)
      ? []
      : agent.state.contacts.filter((c) => c.state === 'CONNECTING');
    agent.state.contacts = agent.state.contacts.filter((c) => !pending.includes(c));
    await this.#save(tx, agent, changes);
    for (const c of pending)
      await this.#requeue(tx, agent.instanceId, agent.userId, c.contactId, false, changes);
    await this.#routeAgent(tx, agent, changes);
  }

  #freed(agent: Agent): void {
    agent.state.idleSince = this.#clock.now();
  }

  /**
   * Puts a contact offered to `userId` back in its queue and offers it to anyone else who can
   * take it; `passedOver`: they rejected or missed it (rather than went away).
   */
  async #requeue(
    tx: StoreTx,
    instanceId: string,
    userId: string,
    contactId: string,
    passedOver: boolean,
    changes: RoutingChanges,
  ): Promise<void> {
    const entry = await tx.queuedContacts.get(instanceId, contactId);
    if (!entry || entry.offeredTo !== userId) return;
    await tx.due.cancel(offerTimeoutId(contactId, userId));
    if (!passedOver)
      changes.step('info', 'contact offer withdrawn', { contactId, instanceId, agentId: userId });
    const back: QueuedContactRecord = {
      ...entry,
      passedOver:
        passedOver && !entry.passedOver.includes(userId) ? [...entry.passedOver, userId] : entry.passedOver,
    };
    delete back.offeredTo;
    delete back.offerExpiresAt;
    await tx.queuedContacts.put(back);
    changes.instances.add(entry.instanceId);
    await this.#routeContact(tx, back, changes, userId);
  }

  /**
   * Offers a waiting contact (as just written, so not read back) to the best agent other than
   * `except` who can take it, if any.
   */
  async #routeContact(
    tx: StoreTx,
    entry: QueuedContactRecord,
    changes: RoutingChanges,
    except?: string,
  ): Promise<void> {
    const now = this.#clock.now();
    const profiles = new Map<string, RoutingProfileBody | undefined>();
    let best: Agent | undefined;
    let bestKey: number[] | undefined;
    for (const record of await tx.agents.list(entry.instanceId)) {
      const agent = toAgent(record);
      if (agent.userId === except || !isRoutable(agent.state)) continue;
      const profile = await this.#profile(tx, agent, profiles);
      const config = configFor(profile, entry.queueId, entry.channel);
      if (!config || now < entry.enqueuedAt + config.Delay * 1000) continue;
      if (freeSlots(agent.state, profile, entry.channel) <= 0) continue;
      // Those who passed it over last; then fewest contacts, longest idle.
      const key = [
        entry.passedOver.includes(agent.userId) ? 1 : 0,
        agent.state.contacts.length,
        agent.state.idleSince,
      ];
      if (!bestKey || compareKeys(key, bestKey, agent.userId, best!.userId) < 0) {
        best = agent;
        bestKey = key;
      }
    }
    if (best) await this.#offer(tx, best, entry, changes);
    else await this.#scheduleDelay(tx, entry, await this.#delays(tx, entry.instanceId));
  }

  /**
   * Offers the agent waiting contacts while they have free slots. Reads the agent afresh: the
   * caller's copy may be older than what routing other contacts has written since.
   */
  async #routeAgent(tx: StoreTx, who: Agent, changes: RoutingChanges): Promise<void> {
    const agent = await this.#agent(tx, who.instanceId, who.userId);
    if (!agent) return;
    const profile = await this.#profile(tx, agent, new Map());
    if (!profile) return;
    for (;;) {
      if (!isRoutable(agent.state)) return;
      const now = this.#clock.now();
      let best: { entry: QueuedContactRecord; key: number[] } | undefined;
      for (const config of profile.QueueConfigs) {
        const { QueueId, Channel } = config.QueueReference;
        if (freeSlots(agent.state, profile, Channel) <= 0) continue;
        const waiting = await tx.queuedContacts.waiting(
          agent.instanceId,
          QueueId,
          Channel,
          now - config.Delay * 1000,
          LOOKAHEAD,
        );
        const entry = waiting.find((e) => !e.passedOver.includes(agent.userId)) ?? waiting[0];
        if (!entry) continue;
        const key = [entry.passedOver.includes(agent.userId) ? 1 : 0, config.Priority, entry.enqueuedAt];
        if (!best || compareKeys(key, best.key, entry.contactId, best.entry.contactId) < 0)
          best = { entry, key };
      }
      if (!best) return;
      await this.#offer(tx, agent, best.entry, changes);
    }
  }

  async #offer(
    tx: StoreTx,
    agent: Agent,
    entry: QueuedContactRecord,
    changes: RoutingChanges,
  ): Promise<void> {
    const now = this.#clock.now();
    const expiresAt = now + this.#offerTimeoutMs;
    await tx.queuedContacts.put({ ...entry, offeredTo: agent.userId, offerExpiresAt: expiresAt });
    await this.#scheduleOfferTimeout(tx, entry, agent.userId, expiresAt);
    await tx.due.cancel(queueDelayId(entry.contactId));
    agent.state.contacts.push({
      contactId: entry.contactId,
      channel: entry.channel,
      queueId: entry.queueId,
      state: 'CONNECTING',
      since: now,
      enqueuedAt: entry.enqueuedAt,
      offerExpiresAt: expiresAt,
    });
    changes.instances.add(entry.instanceId);
    await this.#save(tx, agent, changes);
    changes.step('info', 'contact offered', {
      contactId: entry.contactId,
      instanceId: entry.instanceId,
      queueId: entry.queueId,
      agentId: agent.userId,
    });
  }

  async #scheduleOfferTimeout(
    tx: StoreTx,
    entry: QueuedContactRecord,
    agentId: string,
    dueAt: number,
  ): Promise<void> {
    const payload: OfferTimeoutPayload = {
      instanceId: entry.instanceId,
      contactId: entry.contactId,
      agentId,
    };
    await tx.due.schedule({
      id: offerTimeoutId(entry.contactId, agentId),
      kind: OFFER_TIMEOUT,
      dueAt,
      payload: { ...payload },
    });
  }

  /**
   * A contact waiting unoffered is due again when the next delay for its queue and channel
   * passes, of `delays` (every routing profile's of the instance, whoever has it now: an agent
   * may take a profile later); none if every delay has passed.
   */
  async #scheduleDelay(tx: StoreTx, entry: QueuedContactRecord, delays: QueueConfig[]): Promise<void> {
    const now = this.#clock.now();
    let next = Infinity;
    for (const c of delays) {
      const at = entry.enqueuedAt + c.Delay * 1000;
      if (
        c.QueueReference.QueueId === entry.queueId &&
        c.QueueReference.Channel === entry.channel &&
        at > now
      )
        next = Math.min(next, at);
    }
    const id = queueDelayId(entry.contactId);
    if (next === Infinity) {
      await tx.due.cancel(id);
      return;
    }
    const payload: QueueDelayPayload = { instanceId: entry.instanceId, contactId: entry.contactId };
    await tx.due.schedule({ id, kind: QUEUE_DELAY, dueAt: next, payload: { ...payload } });
  }

  /** The queue configs with a delay of every routing profile of the instance. */
  async #delays(tx: StoreTx, instanceId: string): Promise<QueueConfig[]> {
    const delays: QueueConfig[] = [];
    let after: number | undefined;
    do {
      const page = await tx.resources.list(instanceId, 'routing-profile', after, 100);
      for (const r of page.items)
        for (const c of (r.body as unknown as RoutingProfileBody).QueueConfigs ?? [])
          if (c.Delay > 0) delays.push(c);
      after = page.next;
    } while (after !== undefined);
    return delays;
  }

  async #agent(tx: StoreTx, instanceId: string, userId: string): Promise<Agent | undefined> {
    const record = await tx.agents.get(instanceId, userId);
    return record && toAgent(record);
  }

  async #save(tx: StoreTx, agent: Agent, changes: RoutingChanges): Promise<void> {
    await tx.agents.put(toRecord(agent));
    changes.agent(agent);
    changes.instances.add(agent.instanceId);
  }

  async #profile(
    tx: StoreTx,
    agent: Agent,
    cache: Map<string, RoutingProfileBody | undefined>,
  ): Promise<RoutingProfileBody | undefined> {
    const id = agent.state.routingProfileId;
    if (!cache.has(id)) {
      const r = await tx.resources.get(agent.instanceId, 'routing-profile', id);
      cache.set(id, r?.body as RoutingProfileBody | undefined);
    }
    return cache.get(id);
  }
}

function configFor(
  profile: RoutingProfileBody | undefined,
  queueId: string,
  channel: Channel,
): QueueConfig | undefined {
  return profile?.QueueConfigs.find(
    (c) => c.QueueReference.QueueId === queueId && c.QueueReference.Channel === channel,
  );
}

/** Compares sort keys, then the ids, so that every node makes the same choice. */
function compareKeys(a: number[], b: number[], idA: string, idB: string): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

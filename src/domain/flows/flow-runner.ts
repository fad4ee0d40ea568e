/**
 * Runs a contact's flow, whatever its channel: starts it when the contact starts, hosts its
 * effects (attributes, queues, hours, recording behavior, event hooks; what it says to the
 * customer and disconnecting, through the contact's FlowChannel), and resumes a waiting run
 * when the customer answers or its timer is due. Everything a customer meets before an agent
 * comes from here. Nothing of a waiting run is kept in memory: its state is on the contact
 * (details.flowRun), and what resumes it is a due item in the store, written in the transaction
 * that makes it due — its timer (flow-wake) with the step that starts waiting, a customer's
 * message (flow-input) with the message — and done by whichever node claims it (DueRunner),
 * after a restart too. A flow that fails, loops or ends without queueing ends the contact: a
 * contact is never left hanging, and nothing a flow does can crash the node.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Channel, ContactRecord, DueItem, Store, StoreTx } from '../../ports/store.ts';
import type { FlowEngine } from './engine.ts';
import { parseFlow } from './flow-document.ts';
import type { ContactView, FlowEvent, FlowHost, RunOutcome } from './types.ts';
import type { FlowDocument } from './flow-document.ts';
import type { ResourceService } from '../resources/resource-service.ts';
import { isWithinHours, type HoursConfig } from '../resources/hours.ts';
import { idFromArnOrId } from '../arn.ts';
import { checkAttributes, mergeAttributes } from '../contacts/attributes.ts';
import { deepFreeze } from '../../lib/deep-freeze.ts';
import type { ContactLifecycle } from '../contacts/contact-lifecycle.ts';

const MAX_PARSED_FLOWS = 200;

/** The due work that resumes runs: a run's timer, and a customer's message to a waiting run. */
export const FLOW_WAKE = 'flow-wake';
export const FLOW_INPUT = 'flow-input';

/** What a flow-wake or flow-input item carries: the run's contact, and (flow-input) the event. */
export interface FlowDuePayload {
  instanceId: string;
  contactId: string;
  event?: FlowEvent;
}

/** What a flow does to its contact that depends on the contact's channel. */
export interface FlowChannel {
  /** The text a flow says to the customer (MessageParticipant), inside the step's transaction. */
  say(tx: StoreTx, contact: ContactRecord, text: string): Promise<void>;
  /**
   * Ends the contact with CONTACT_FLOW_DISCONNECT (DisconnectParticipant, or a run that ends
   * without queueing it), inside the step's transaction; it writes the contact.
   */
  disconnect(tx: StoreTx, contact: ContactRecord): Promise<void>;
}

export interface FlowRunnerDeps {
  store: Store;
  clock: Clock;
  engine: FlowEngine;
  /** Per channel, what its flows say and how they disconnect; a contact of another channel has no flow. */
  channels: Partial<Record<Channel, FlowChannel>>;
  resources: ResourceService;
  /** Puts the contact in a queue for routing (TransferContactToQueue), inside the step's transaction. */
  lifecycle: Pick<ContactLifecycle, 'enqueue'>;
  /** Reports a run that failed (the contact has ended). */
  onError: (err: unknown, contactId: string) => void;
  /** Asks for due work to be done now: a customer's message made some due (DueRunner.poke). */
  dueNow: () => void;
}

/** The contact as a step has changed it so far; `dirty`: not yet written. */
interface HeldContact {
  value: ContactRecord;
  dirty: boolean;
}

export class FlowRunner {
  readonly #d: FlowRunnerDeps;
  /** Per contact, the work queued behind the run's current step: one step at a time. */
  readonly #queues = new Map<string, Promise<void>>();
  /** Parsed flows by content: every contact of a flow would otherwise parse and check it again. */
  readonly #parsed = new Map<string, FlowDocument>();

  constructor(deps: FlowRunnerDeps) {
    this.#d = deps;
  }

  /**
   * Runs a new contact's flow up to its first wait inside the transaction that creates the
   * contact (StartChatContact): the greeting and the queueing commit with it, at the cost of one
   * step.
   */
  async startIn(tx: StoreTx, contact: ContactRecord): Promise<void> {
    await this.#stepIn(tx, contact, async (host) => {
      const flow = await tx.resources.get(contact.instanceId, 'contact-flow', contact.flowId);
      const document = flow ? this.#parse(flow.body.Content as string) : undefined;
      if (!document) return { status: 'failed', error: `flow ${contact.flowId} cannot run` };
      return this.#d.engine.start(document, host, { flowId: contact.flowId });
    });
  }

  /**
   * Inside the transaction that adds a customer's message to a chat: a run waiting for
   * input, or in a Wait (CustomerReturned), is resumed with it by a flow-input item, due now.
   * One item per contact: a message written before the run took the previous one replaces it.
   */
  async customerWrote(tx: StoreTx, contact: ContactRecord, text: string): Promise<void> {
    const wait = contact.details.flowRun?.wait;
    if (contact.state !== 'ACTIVE' || !wait) return;
    const event: FlowEvent =
      wait.kind === 'wait' ? { kind: 'event', name: 'CustomerReturned' } : { kind: 'customerMessage', text };
    const payload: FlowDuePayload = { instanceId: contact.instanceId, contactId: contact.id, event };
    await tx.due.schedule({
      id: `${FLOW_INPUT}:${contact.id}`,
      kind: FLOW_INPUT,
      dueAt: this.#d.clock.now(),
      payload: { ...payload },
    });
    tx.onCommit(() => this.#d.dueNow());
  }

  /**
   * Resumes a run with its due flow-wake (the timer) or flow-input (a customer's message) item,
   * taking the item in the step's transaction: a message moves a run on once, and a step that
   * fails leaves the item to be tried again.
   */
  async resumeDue(item: DueItem, owner: string): Promise<void> {
    const { instanceId, contactId, event } = item.payload as unknown as FlowDuePayload;
    await this.#serial(contactId, () =>
      this.#step(instanceId, contactId, async (tx, host, contact) => {
        await tx.due.done(item.id, owner);
        const state = contact.details.flowRun;
        return state && this.#d.engine.resume(state, event ?? { kind: 'timer' }, host);
      }),
    );
  }

  #parse(content: string): FlowDocument | undefined {
    let document = this.#parsed.get(content);
    if (!document) {
      document = parseFlow(content).flow;
      if (!document) return undefined;
      deepFreeze(document); // shared by every run of the flow: the engine takes it as is, uncopied
      if (this.#parsed.size >= MAX_PARSED_FLOWS) this.#parsed.clear();
      this.#parsed.set(content, document);
    }
    return document;
  }

  /** Resolves when every step under way has finished. */
  async settled(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()]);
  }

  /**
   * One step of a run — from its start or a wake-up until it waits, ends or fails — with its
   * bookkeeping, in one transaction: a customer sees all of a step or none of it, and a
   * contact costs one commit per step rather than one per action. Events are published once it commits.
   */
  async #step(
    instanceId: string,
    contactId: string,
    run: (tx: StoreTx, host: FlowHost, contact: ContactRecord) => Promise<RunOutcome | undefined>,
  ): Promise<void> {
    await this.#d.store.transaction(async (tx) => {
      const contact = await tx.contacts.get(instanceId, contactId);
      // A run of a contact that has ended stays as it was: nothing resumes it.
      if (contact && contact.state === 'ACTIVE')
        await this.#stepIn(tx, contact, (host) => run(tx, host, contact));
    });
  }

  /** The part of a step inside its transaction (its messages and routing are published once it commits). */
  async #stepIn(
    tx: StoreTx,
    contact: ContactRecord,
    run: (host: FlowHost) => Promise<RunOutcome | undefined>,
  ): Promise<void> {
    const held: HeldContact = { value: contact, dirty: false };
    const outcome = await run(this.#host(tx, held));
    if (!outcome) return; // there was no run to resume
    await this.#record(tx, held, outcome);
    await this.#setTimer(tx, held.value, outcome);
    if (outcome.status === 'failed') {
      const err = new Error(`flow failed: ${outcome.error}`);
      tx.onCommit(() => this.#d.onError(err, contact.id));
    }
  }

  /**
   * Writes the timer of the contact's waiting run from its stored state, as its step would
   * have: for runs stored before their timers were kept in the store.
   */
  async scheduleTimer(tx: StoreTx, contact: ContactRecord): Promise<void> {
    const state = contact.details.flowRun;
    const wakeAt = state?.wait?.deadline;
    if (contact.state === 'ACTIVE' && state && wakeAt !== undefined)
      await this.#setTimer(tx, contact, { status: 'waiting', state, wakeAt });
  }

  /** The run's timer as its step leaves it: due at the waiting run's wakeAt, else none. */
  async #setTimer(tx: StoreTx, contact: ContactRecord, outcome: RunOutcome): Promise<void> {
    const id = `${FLOW_WAKE}:${contact.id}`;
    if (contact.state !== 'ACTIVE' || outcome.status !== 'waiting' || outcome.wakeAt === undefined) {
      await tx.due.cancel(id);
      return;
    }
    const payload: FlowDuePayload = { instanceId: contact.instanceId, contactId: contact.id };
    await tx.due.schedule({ id, kind: FLOW_WAKE, dueAt: outcome.wakeAt, payload: { ...payload } });
  }

  /**
   * What a step's outcome leaves on the contact: a waiting run's state; nothing once the run
   * has handed the contact over (queued or disconnected). A run that ended any other way, or
   * failed, leaves the contact unqueued: Amazon Connect disconnects it.
   */
  async #record(tx: StoreTx, held: HeldContact, outcome: RunOutcome): Promise<void> {
    const c = held.value;
    if (c.state !== 'ACTIVE') return; // the flow disconnected it (and that wrote it)
    const { flowRun, ...details } = c.details;
    if (outcome.status === 'waiting') {
      held.value = await this.#write(tx, { ...c, details: { ...details, flowRun: outcome.state } });
      return;
    }
    const rest = flowRun === undefined && !held.dirty ? c : await this.#write(tx, { ...c, details });
    const handedOver =
      outcome.status === 'ended' && (outcome.reason === 'queued' || outcome.reason === 'disconnected');
    if (handedOver || rest.details.queueInfo !== undefined) return;
    await this.#channel(rest).disconnect(tx, rest);
  }

  /**
   * The host of one step, inside its transaction. Nothing else writes the contact while the
   * transaction runs, so it is read once and its changes are kept in `held` and written once,
   * when the step is recorded. A host call that throws (failing its action) changes nothing.
   */
  #host(tx: StoreTx, held: HeldContact): FlowHost {
    const { instanceId } = held.value;
    const current = () => {
      if (held.value.state !== 'ACTIVE') throw new Error('the contact has ended');
      return held.value;
    };
    const change = async (f: (c: ContactRecord) => ContactRecord) => {
      held.value = { ...f(current()), lastUpdateTimestamp: this.#d.clock.now() };
      held.dirty = true;
    };
    return {
      contact: async () => view(current()),
      sendMessage: async (text) => {
        const c = current();
        await this.#channel(c).say(tx, c, text);
      },
      updateAttributes: async (attributes) => {
        checkAttributes(attributes);
        const merged = mergeAttributes(current().attributes, attributes);
        checkAttributes(merged);
        await change((c) => ({ ...c, attributes: merged }));
      },
      resolveQueue: async (ref) => {
        if (!('queue' in ref)) return undefined; // agents' personal queues come with agents
        const q = await tx.resources.get(instanceId, 'queue', idFromArnOrId(ref.queue));
        return q ? { id: q.id, arn: q.arn, name: q.name } : undefined;
      },
      setTargetQueue: async (queue) => {
        await change((c) => ({ ...c, details: { ...c.details, targetQueue: queue } }));
      },
      transferToQueue: async () => {
        const queue = current().details.targetQueue;
        if (!queue) throw new Error('no target queue');
        await change((c) => ({
          ...c,
          details: { ...c.details, queueInfo: { Id: queue.id, EnqueueTimestamp: this.#d.clock.now() } },
        }));
        await this.#d.lifecycle.enqueue(tx, held.value, queue.id);
        return 'OK';
      },
      isWithinHours: async (hoursIdOrArn, at) => {
        let hoursId = hoursIdOrArn && idFromArnOrId(hoursIdOrArn);
        if (!hoursId) {
          const target = current().details.targetQueue;
          const queue = target && (await tx.resources.get(instanceId, 'queue', target.id));
          hoursId = queue?.body.HoursOfOperationId as string | undefined;
        }
        const hours = hoursId ? await tx.resources.get(instanceId, 'hours-of-operation', hoursId) : undefined;
        if (!hours) return undefined;
        return isWithinHours(hours.body.Config as HoursConfig[], hours.body.TimeZone as string, at);
      },
      setRecordingBehavior: async (settings) => {
        await change((c) => ({ ...c, details: { ...c.details, recordingBehavior: settings } }));
      },
      setEventHook: async (hook, flow) => {
        await change((c) => ({
          ...c,
          details: { ...c.details, eventHooks: { ...c.details.eventHooks, [hook]: flow } },
        }));
      },
      disconnect: async () => {
        // Ending the contact writes it, with this step's changes.
        const c = current();
        await this.#channel(c).disconnect(tx, c);
        held.value = { ...c, state: 'ENDED' };
        held.dirty = false;
      },
    };
  }

  #channel(contact: ContactRecord): FlowChannel {
    const channel = this.#d.channels[contact.channel];
    if (!channel) throw new Error(`no flows run on ${contact.channel} contacts`);
    return channel;
  }

  /** Writes a contact, stamped with the time; returns it as written. */
  async #write(tx: StoreTx, contact: ContactRecord): Promise<ContactRecord> {
    const updated = { ...contact, lastUpdateTimestamp: this.#d.clock.now() };
    await tx.contacts.update(updated);
    return updated;
  }

  /**
   * Runs steps of one contact's flow on this node one after another; a step that throws rejects
   * its own promise only, not the steps queued behind it.
   */
  #serial(contactId: string, step: () => Promise<void>): Promise<void> {
    const previous = this.#queues.get(contactId) ?? Promise.resolve();
    const next = previous.then(step);
    const queued = next
      .catch(() => {}) // the caller of this step has it
      .finally(() => {
        if (this.#queues.get(contactId) === queued) this.#queues.delete(contactId);
      });
    this.#queues.set(contactId, queued);
    return next;
  }
}

function view(c: ContactRecord): ContactView {
  return {
    contactId: c.id,
    initialContactId: c.initialContactId,
    previousContactId: c.previousContactId,
    channel: c.channel,
    attributes: c.attributes,
    queue: c.details.targetQueue,
  };
}

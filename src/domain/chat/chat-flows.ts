/**
 * Runs a chat's contact flow: starts it when the chat starts, hosts its effects (messages to
 * the chat, attributes, queues, hours, disconnect), and resumes a waiting run when the
 * customer writes or its timer is due. Everything a customer sees before an agent comes from
 * here. The run state is kept on the contact (details.flowRun); the node that started a run
 * drives it. A flow that fails, loops or ends without queueing ends the chat: a contact is
 * never left hanging, and nothing a flow does can crash the node.
 */
import type { Clock } from '../../ports/clock.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import { topics } from '../../ports/event-bus.ts';
import type { ContactRecord, Store, StoreTx } from '../../ports/store.ts';
import type { FlowEngine } from '../flows/engine.ts';
import { parseFlow } from '../flows/flow-document.ts';
import type { ContactView, FlowEvent, FlowHost, QueueRef, RunOutcome, RunState } from '../flows/types.ts';
import type { FlowDocument } from '../flows/flow-document.ts';
import type { ResourceService } from '../resources/resource-service.ts';
import { isWithinHours, type HoursConfig } from '../resources/hours.ts';
import { idFromArnOrId } from '../arn.ts';
import { checkAttributes, mergeAttributes } from '../contacts/attributes.ts';
import type { ChatService } from './chat-service.ts';
import type { ChatEvent } from './chat-item.ts';
import { deepFreeze } from '../../lib/deep-freeze.ts';

const MAX_PARSED_FLOWS = 200;

/** The name flow messages carry, as Amazon Connect shows system messages. */
export const SYSTEM_NAME = 'SYSTEM_MESSAGE';

export interface ChatFlowsDeps {
  store: Store;
  clock: Clock;
  bus: EventBus;
  engine: FlowEngine;
  chats: ChatService;
  resources: ResourceService;
  /** Puts the contact in a queue for routing (TransferContactToQueue), inside the step's transaction. */
  enqueue?: (tx: StoreTx, contact: ContactRecord, queueId: string) => Promise<void>;
  onError: (err: unknown, contactId: string) => void;
}

/** What a step leaves for after its commit: waiting for what its run waits for. */
interface StepDone {
  outcome: RunOutcome | undefined;
  chatId: string;
}

/** The contact as a step has changed it so far; `dirty`: not yet written. */
interface HeldContact {
  value: ContactRecord;
  dirty: boolean;
}

interface Waiting {
  instanceId: string;
  contactId: string;
  wakeAt?: number;
  unsubscribe?: () => void;
}

export class ChatFlows {
  readonly #d: ChatFlowsDeps;
  /** Runs waiting on this node, by contact. */
  readonly #waiting = new Map<string, Waiting>();
  /** Per contact, the work queued behind the run's current step: one step at a time. */
  readonly #queues = new Map<string, Promise<void>>();
  /** Parsed flows by content: every chat of a flow would otherwise parse and check it again. */
  readonly #parsed = new Map<string, FlowDocument>();

  constructor(deps: ChatFlowsDeps) {
    this.#d = deps;
  }

  /**
   * Runs a new chat's flow up to its first wait inside the transaction that creates the chat
   * (StartChatContact): the greeting and the queueing commit with the chat, at the cost of one
   * step.
   */
  async startIn(tx: StoreTx, contact: ContactRecord): Promise<void> {
    const done = await this.#stepIn(tx, contact, async (host) => {
      const flow = await tx.resources.get(contact.instanceId, 'contact-flow', contact.flowId);
      const document = flow ? this.#parse(flow.body.Content as string) : undefined;
      if (!document) return { status: 'failed', error: `flow ${contact.flowId} cannot run` };
      return this.#d.engine.start(document, host, { flowId: contact.flowId });
    });
    tx.onCommit(() => this.#afterStep(contact.instanceId, contact.id, done));
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

  /** Wakes the runs whose timers are due by the node's clock. */
  wakeDue(): void {
    const now = this.#d.clock.now();
    for (const w of this.#waiting.values()) {
      if (w.wakeAt !== undefined && w.wakeAt <= now) this.#resume(w, { kind: 'timer' });
    }
  }

  /** Stops driving every run (shutdown); their state stays on the contacts. */
  close(): void {
    for (const w of this.#waiting.values()) w.unsubscribe?.();
    this.#waiting.clear();
  }

  /** Resolves when every step under way has finished. */
  async settled(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()]);
  }

  #resume(w: Waiting, event: FlowEvent): void {
    void this.#serial(w.contactId, async () => {
      if (this.#waiting.get(w.contactId) !== w) return; // already moved on
      await this.#step(w.instanceId, w.contactId, async (host, contact) => {
        const state = contact.details.flowRun as RunState | undefined;
        return state && this.#d.engine.resume(state, event, host);
      });
    });
  }

  /**
   * One step of a run — from its start or a wake-up until it waits, ends or fails — with its
   * bookkeeping, in one transaction: a customer sees all of a step or none of it, and a chat
   * costs one commit per step rather than one per action. Events are published once it commits.
   */
  async #step(
    instanceId: string,
    contactId: string,
    run: (host: FlowHost, contact: ContactRecord) => Promise<RunOutcome | undefined>,
  ): Promise<void> {
    const done = await this.#d.store.transaction(async (tx) => {
      const contact = await tx.contacts.get(instanceId, contactId);
      return contact && contact.state === 'ACTIVE'
        ? this.#stepIn(tx, contact, (host) => run(host, contact))
        : undefined;
    });
    this.#afterStep(instanceId, contactId, done);
  }

  /**
   * The part of a step inside its transaction (its messages and routing are published once it
   * commits); what it returns is for #afterStep.
   */
  async #stepIn(
    tx: StoreTx,
    contact: ContactRecord,
    run: (host: FlowHost) => Promise<RunOutcome | undefined>,
  ): Promise<StepDone> {
    const held: HeldContact = { value: contact, dirty: false };
    const outcome = await run(this.#host(tx, held));
    if (outcome) await this.#record(tx, held, outcome);
    return { outcome, chatId: contact.initialContactId };
  }

  /** Once a step has committed: waiting for what its run waits for. */
  #afterStep(instanceId: string, contactId: string, done: StepDone | undefined): void {
    this.#stopWaiting(contactId);
    const outcome = done?.outcome;
    if (!done || !outcome) return; // the chat ended, or there was no run to resume
    if (outcome.status === 'failed') this.#d.onError(new Error(`flow failed: ${outcome.error}`), contactId);
    if (outcome.status !== 'waiting') return;
    // The chat may end from here on; a resumed step then finds it ended and stops waiting.
    const w: Waiting = { instanceId, contactId, wakeAt: outcome.wakeAt };
    // A customer's message resumes a run waiting for input, or one waiting for CustomerReturned.
    w.unsubscribe = this.#d.bus.subscribe(topics.chat(done.chatId), (e) => {
      const item = (e as ChatEvent).item;
      if (item.Type === 'MESSAGE' && item.ParticipantRole === 'CUSTOMER') {
        const event: FlowEvent =
          outcome.state.wait?.kind === 'wait'
            ? { kind: 'event', name: 'CustomerReturned' }
            : { kind: 'customerMessage', text: item.Content ?? '' };
        this.#resume(w, event);
      }
    });
    this.#waiting.set(contactId, w);
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
      await this.#write(tx, { ...c, details: { ...details, flowRun: outcome.state } });
      return;
    }
    const rest = flowRun === undefined && !held.dirty ? c : await this.#write(tx, { ...c, details });
    const handedOver =
      outcome.status === 'ended' && (outcome.reason === 'queued' || outcome.reason === 'disconnected');
    if (handedOver || rest.details.queueInfo !== undefined) return;
    await this.#d.chats.end(tx, rest, 'CONTACT_FLOW_DISCONNECT');
  }

  #stopWaiting(contactId: string): void {
    this.#waiting.get(contactId)?.unsubscribe?.();
    this.#waiting.delete(contactId);
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
        await this.#d.chats.append(tx, current(), {
          type: 'MESSAGE',
          contentType: 'text/plain',
          content: text,
          systemName: SYSTEM_NAME,
        });
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
        const queue = current().details.targetQueue as QueueRef | undefined;
        if (!queue) throw new Error('no target queue');
        await change((c) => ({
          ...c,
          details: { ...c.details, queueInfo: { Id: queue.id, EnqueueTimestamp: this.#d.clock.now() } },
        }));
        await this.#d.enqueue?.(tx, held.value, queue.id);
        return 'OK';
      },
      isWithinHours: async (hoursIdOrArn, at) => {
        let hoursId = hoursIdOrArn && idFromArnOrId(hoursIdOrArn);
        if (!hoursId) {
          const target = current().details.targetQueue as QueueRef | undefined;
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
          details: { ...c.details, eventHooks: { ...(c.details.eventHooks as object), [hook]: flow } },
        }));
      },
      disconnect: async () => {
        // Ending the chat writes the contact, with this step's changes.
        const c = current();
        await this.#d.chats.end(tx, c, 'CONTACT_FLOW_DISCONNECT');
        held.value = { ...c, state: 'ENDED' };
        held.dirty = false;
      },
    };
  }

  /** Writes a contact, stamped with the time; returns it as written. */
  async #write(tx: StoreTx, contact: ContactRecord): Promise<ContactRecord> {
    const updated = { ...contact, lastUpdateTimestamp: this.#d.clock.now() };
    await tx.contacts.update(updated);
    return updated;
  }

  /** Runs steps of one contact's flow one after another; a failing step is reported, never thrown. */
  #serial(contactId: string, step: () => Promise<void>): Promise<void> {
    const previous = this.#queues.get(contactId) ?? Promise.resolve();
    const next = previous
      .then(step)
      .catch((err) => this.#d.onError(err, contactId))
      .finally(() => {
        if (this.#queues.get(contactId) === next) this.#queues.delete(contactId);
      });
    this.#queues.set(contactId, next);
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
    queue: c.details.targetQueue as QueueRef | undefined,
  };
}

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
  onError: (err: unknown, contactId: string) => void;
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

  /** Starts the contact's flow (after StartChatContact committed). Never throws. */
  start(contact: ContactRecord): Promise<void> {
    return this.#serial(contact.id, async () => {
      const flow = await this.#d.store.transaction(async (tx) =>
        tx.resources.get(contact.instanceId, 'contact-flow', contact.flowId),
      );
      const document = flow ? this.#parse(flow.body.Content as string) : undefined;
      if (!document) {
        await this.#finish(contact, { status: 'failed', error: `flow ${contact.flowId} cannot run` });
        return;
      }
      const outcome = await this.#d.engine.start(document, this.#host(contact), {
        flowId: contact.flowId,
      });
      await this.#finish(contact, outcome);
    });
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
      const contact = await this.#contact(w.instanceId, w.contactId);
      const state = contact?.details.flowRun as RunState | undefined;
      if (!contact || contact.state !== 'ACTIVE' || !state) {
        this.#stopWaiting(w.contactId);
        return;
      }
      const outcome = await this.#d.engine.resume(state, event, this.#host(contact));
      await this.#finish(contact, outcome);
    });
  }

  async #finish(started: ContactRecord, outcome: RunOutcome): Promise<void> {
    this.#stopWaiting(started.id);
    if (outcome.status === 'waiting') {
      if (
        !(await this.#update(
          started,
          (c) => ({ ...c, details: { ...c.details, flowRun: outcome.state } }),
          false,
        ))
      ) {
        return; // the chat ended meanwhile
      }
      const w: Waiting = { instanceId: started.instanceId, contactId: started.id, wakeAt: outcome.wakeAt };
      // A customer's message resumes a run waiting for input, or one waiting for CustomerReturned.
      w.unsubscribe = this.#d.bus.subscribe(topics.chat(started.initialContactId), (e) => {
        const item = (e as ChatEvent).item;
        if (item.Type === 'MESSAGE' && item.ParticipantRole === 'CUSTOMER') {
          const event: FlowEvent =
            outcome.state.wait?.kind === 'wait'
              ? { kind: 'event', name: 'CustomerReturned' }
              : { kind: 'customerMessage', text: item.Content ?? '' };
          this.#resume(w, event);
        }
      });
      this.#waiting.set(started.id, w);
      return;
    }
    const handedOver =
      outcome.status === 'ended' && (outcome.reason === 'queued' || outcome.reason === 'disconnected');
    // Nothing to tidy when the run never had to wait (no state was kept on the contact).
    if (handedOver && started.details.flowRun === undefined) return;
    const contact = await this.#contact(started.instanceId, started.id);
    // A run that stops because its contact ended (StopContact, the customer left) is no failure.
    if (!contact || contact.state !== 'ACTIVE') return;
    if (outcome.status === 'failed') this.#d.onError(new Error(`flow failed: ${outcome.error}`), started.id);
    if (handedOver) {
      await this.#update(
        contact,
        (c) => {
          const { flowRun: _done, ...details } = c.details;
          return { ...c, details };
        },
        false,
      );
      return;
    }
    // Ended without a queue, failed, or nothing left to do: Amazon Connect disconnects the contact.
    if (contact.details.queueInfo === undefined) await this.#end(contact);
  }

  #stopWaiting(contactId: string): void {
    this.#waiting.get(contactId)?.unsubscribe?.();
    this.#waiting.delete(contactId);
  }

  #host(contact: ContactRecord): FlowHost {
    const { instanceId, id } = contact;
    // The engine reads the contact before every action; between this run's own writes it is
    // read once. (Writes re-read it inside their transaction, so they never act on a stale one.)
    let known: ContactRecord | undefined;
    const current = async () => {
      const c = known ?? (await this.#contact(instanceId, id));
      if (!c || c.state !== 'ACTIVE') throw new Error('the contact has ended');
      return (known = c);
    };
    const change = async (f: (c: ContactRecord) => ContactRecord) => {
      known = undefined;
      known = await this.#update(contact, f);
    };
    return {
      contact: async () => view(await current()),
      sendMessage: async (text) => {
        const events = await this.#d.store.transaction(async (tx) => {
          const c = await this.#live(tx, instanceId, id);
          return [
            await this.#d.chats.append(tx, c, {
              type: 'MESSAGE',
              contentType: 'text/plain',
              content: text,
              systemName: SYSTEM_NAME,
            }),
          ];
        });
        this.#d.chats.publish(events);
      },
      updateAttributes: async (attributes) => {
        await this.#d.store.transaction(async (tx) => {
          const c = await this.#live(tx, instanceId, id);
          checkAttributes(attributes);
          const merged = mergeAttributes(c.attributes, attributes);
          checkAttributes(merged);
          await tx.contacts.update({ ...c, attributes: merged, lastUpdateTimestamp: this.#d.clock.now() });
        });
        known = undefined;
      },
      resolveQueue: async (ref) => {
        if (!('queue' in ref)) return undefined; // agents' personal queues come with agents
        return this.#d.store.transaction(async (tx) => {
          const q = await tx.resources.get(instanceId, 'queue', idFromArnOrId(ref.queue));
          return q ? { id: q.id, arn: q.arn, name: q.name } : undefined;
        });
      },
      setTargetQueue: async (queue) => {
        await change((c) => ({ ...c, details: { ...c.details, targetQueue: queue } }));
      },
      transferToQueue: async () => {
        const c = await current();
        const queue = c.details.targetQueue as QueueRef | undefined;
        if (!queue) throw new Error('no target queue');
        await change((x) => ({
          ...x,
          details: { ...x.details, queueInfo: { Id: queue.id, EnqueueTimestamp: this.#d.clock.now() } },
        }));
        return 'OK';
      },
      isWithinHours: async (hoursIdOrArn, at) =>
        this.#d.store.transaction(async (tx) => {
          let hoursId = hoursIdOrArn && idFromArnOrId(hoursIdOrArn);
          if (!hoursId) {
            const c = await this.#live(tx, instanceId, id);
            const target = c.details.targetQueue as QueueRef | undefined;
            const queue = target && (await tx.resources.get(instanceId, 'queue', target.id));
            hoursId = queue?.body.HoursOfOperationId as string | undefined;
          }
          const hours = hoursId
            ? await tx.resources.get(instanceId, 'hours-of-operation', hoursId)
            : undefined;
          if (!hours) return undefined;
          return isWithinHours(hours.body.Config as HoursConfig[], hours.body.TimeZone as string, at);
        }),
      setRecordingBehavior: async (settings) => {
        await change((c) => ({ ...c, details: { ...c.details, recordingBehavior: settings } }));
      },
      setEventHook: async (hook, flow) => {
        await change((c) => ({
          ...c,
          details: { ...c.details, eventHooks: { ...(c.details.eventHooks as object), [hook]: flow } },
        }));
      },
      disconnect: async () => this.#end(await current()),
    };
  }

  async #end(contact: ContactRecord): Promise<void> {
    const events = await this.#d.store.transaction(async (tx) => {
      const c = await tx.contacts.get(contact.instanceId, contact.id);
      return c && c.state === 'ACTIVE' ? this.#d.chats.end(tx, c, 'CONTACT_FLOW_DISCONNECT') : [];
    });
    this.#d.chats.publish(events);
  }

  /**
   * Changes a live contact and returns it as written. If it has ended: throws for a flow action
   * (which then takes its error branch), or returns undefined when `mustBeLive` is false
   * (bookkeeping after a run).
   */
  async #update(
    contact: ContactRecord,
    change: (c: ContactRecord) => ContactRecord,
    mustBeLive = true,
  ): Promise<ContactRecord | undefined> {
    return this.#d.store.transaction(async (tx) => {
      const c = await tx.contacts.get(contact.instanceId, contact.id);
      if (!c || c.state !== 'ACTIVE') {
        if (mustBeLive) throw new Error('the contact has ended');
        return undefined;
      }
      const updated = { ...change(c), lastUpdateTimestamp: this.#d.clock.now() };
      await tx.contacts.update(updated);
      return updated;
    });
  }

  #contact(instanceId: string, id: string): Promise<ContactRecord | undefined> {
    return this.#d.store.transaction((tx) => tx.contacts.get(instanceId, id));
  }

  async #live(tx: StoreTx, instanceId: string, id: string): Promise<ContactRecord> {
    const c = await tx.contacts.get(instanceId, id);
    if (!c || c.state !== 'ACTIVE') throw new Error('the contact has ended');
    return c;
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

function deepFreeze(value: unknown): void {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
}

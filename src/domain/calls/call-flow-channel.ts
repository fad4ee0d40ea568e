/**
 * What a web call's flow says and how it disconnects (FlowRunner's FlowChannel for VOICE): what
 * it says is spoken into the call (the meeting's node speaks it to the customer once the step
 * commits), and disconnecting ends the call.
 */
import type { EventBus } from '../../ports/event-bus.ts';
import type { ContactRecord, StoreTx } from '../../ports/store.ts';
import type { FlowChannel } from '../flows/flow-runner.ts';
import type { ContactLifecycle } from '../contacts/contact-lifecycle.ts';
import { tellMeeting } from './call-lifecycle.ts';

export class CallFlowChannel implements FlowChannel {
  readonly #bus: EventBus;
  readonly #lifecycle: ContactLifecycle;

  constructor(bus: EventBus, lifecycle: ContactLifecycle) {
    this.#bus = bus;
    this.#lifecycle = lifecycle;
  }

  async say(tx: StoreTx, contact: ContactRecord, text: string): Promise<void> {
    tellMeeting(tx, this.#bus, contact, { say: text });
  }

  disconnect(tx: StoreTx, contact: ContactRecord): Promise<void> {
    return this.#lifecycle.end(tx, contact, 'CONTACT_FLOW_DISCONNECT');
  }
}

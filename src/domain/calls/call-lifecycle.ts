/**
 * A web call's part of its contact's life (ContactLifecycle's ChannelLifecycle for VOICE). As
 * the call ends, its meeting ends: once that commits, every signaling socket of the meeting is
 * told (MeetingEnded) and closed, on whichever node holds it. Once the call has ended, its
 * place in the instance's concurrent-calls quota is given back and its join window is gone.
 * The agent's attendee (as the agent joins) comes with the agent side of the media plane.
 */
import { topics, type EventBus } from '../../ports/event-bus.ts';
import type { ContactRecord, ParticipantRecord, StoreTx } from '../../ports/store.ts';
import type { ChannelLifecycle } from '../contacts/contact-lifecycle.ts';
import { ACTIVE_CALLS, joinWindowId, mediaLeaseId } from './web-calls.ts';

/**
 * What a meeting's node is told on topics.meeting: the call ended; the flow said something to
 * the customer; the customer waits in a queue (hold audio) or no longer does.
 */
export type MeetingEvent = { ended?: true; say?: string; hold?: boolean };

/** Tells the node holding the call's meeting, once the transaction commits. */
export function tellMeeting(tx: StoreTx, bus: EventBus, contact: ContactRecord, event: MeetingEvent): void {
  const meeting = contact.details.meeting;
  if (meeting) tx.onCommit(() => bus.publish(topics.meeting(meeting.meetingId), event));
}

export class CallLifecycle implements ChannelLifecycle {
  readonly #bus: EventBus;

  constructor(bus: EventBus) {
    this.#bus = bus;
  }

  async queued(tx: StoreTx, contact: ContactRecord): Promise<void> {
    tellMeeting(tx, this.#bus, contact, { hold: true });
  }

  async agentJoined(tx: StoreTx, contact: ContactRecord, _agent: ParticipantRecord): Promise<void> {
    // The agent's attendee (WebCalls.joinAs) is made as the agent is answered; the hold ends now.
    tellMeeting(tx, this.#bus, contact, { hold: false });
  }

  async leaving(_tx: StoreTx, _contact: ContactRecord, _leaving: ParticipantRecord): Promise<void> {
    // A call has no transcript to tell the others of the leaving: the meeting's roster will.
  }

  async closing(tx: StoreTx, contact: ContactRecord): Promise<void> {
    tellMeeting(tx, this.#bus, contact, { ended: true });
  }

  async closed(tx: StoreTx, ended: ContactRecord): Promise<void> {
    await tx.due.cancel(joinWindowId(ended.id));
    await tx.due.cancel(mediaLeaseId(ended.id));
    await tx.counters.add(ended.instanceId, ACTIVE_CALLS, -1);
  }
}

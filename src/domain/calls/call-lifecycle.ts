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
import { ACTIVE_CALLS, joinWindowId } from './web-calls.ts';

/** What a meeting's signaling sockets are told on topics.meeting. */
export interface MeetingEvent {
  ended: true;
}

export class CallLifecycle implements ChannelLifecycle {
  readonly #bus: EventBus;

  constructor(bus: EventBus) {
    this.#bus = bus;
  }

  async agentJoined(_tx: StoreTx, _contact: ContactRecord, _agent: ParticipantRecord): Promise<void> {
    // Without a media plane yet, a call has no meeting for the agent to join.
  }

  async leaving(_tx: StoreTx, _contact: ContactRecord, _leaving: ParticipantRecord): Promise<void> {
    // A call has no transcript to tell the others of the leaving: the meeting's roster will.
  }

  async closing(tx: StoreTx, contact: ContactRecord): Promise<void> {
    const meeting = contact.details.meeting;
    if (!meeting) return;
    const event: MeetingEvent = { ended: true };
    tx.onCommit(() => this.#bus.publish(topics.meeting(meeting.meetingId), event));
  }

  async closed(tx: StoreTx, ended: ContactRecord): Promise<void> {
    await tx.due.cancel(joinWindowId(ended.id));
    await tx.counters.add(ended.instanceId, ACTIVE_CALLS, -1);
  }
}

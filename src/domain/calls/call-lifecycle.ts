/**
 * A web call's part of its contact's life (ContactLifecycle's ChannelLifecycle for VOICE). Once
 * the call has ended: its place in the instance's concurrent-calls quota is given back and its
 * join window is gone. The media plane (issue 15's part 2) adds what happens in the meeting:
 * the agent's attendee as they join, the meeting's end for every session as the call ends.
 */
import type { ContactRecord, ParticipantRecord, StoreTx } from '../../ports/store.ts';
import type { ChannelLifecycle } from '../contacts/contact-lifecycle.ts';
import { ACTIVE_CALLS, joinWindowId } from './web-calls.ts';

export class CallLifecycle implements ChannelLifecycle {
  async agentJoined(_tx: StoreTx, _contact: ContactRecord, _agent: ParticipantRecord): Promise<void> {
    // Without a media plane yet, a call has no meeting for the agent to join.
  }

  async leaving(_tx: StoreTx, _contact: ContactRecord, _leaving: ParticipantRecord): Promise<void> {
    // A call has no transcript to tell the others of the leaving: the meeting's roster will.
  }

  async closing(_tx: StoreTx, _contact: ContactRecord): Promise<void> {
    // The meeting's sessions end with the media plane's MeetingEnded (part 2).
  }

  async closed(tx: StoreTx, ended: ContactRecord): Promise<void> {
    await tx.due.cancel(joinWindowId(ended.id));
    await tx.counters.add(ended.instanceId, ACTIVE_CALLS, -1);
  }
}

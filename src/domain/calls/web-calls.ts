/**
 * StartWebRTCContact: a web or video call a customer's app joins with the Amazon Chime SDK. The
 * contact (channel VOICE, initiated by WEBRTC_API) is written with its customer participant,
 * the meeting it takes place in and the customer's attendee, whose JoinToken the store keeps
 * only as a digest; ConnectionData points the SDK at this node's media placement.
 *
 * The flow starts once the customer's media is up (the meeting's node says so); a call whose
 * customer has not joined within CALL_JOIN_WINDOW_MS ends (EXPIRED), whichever node is alive
 * then. The agent who accepts the call gets an attendee of the same meeting. An attendee who
 * leaves the meeting (the SDK's LEAVE) hangs up: the call ends with their disconnect reason.
 */
import type { Clock } from '../../ports/clock.ts';
import type { IdGenerator } from '../../ports/ids.ts';
import type { ContactRecord, DueItem, ParticipantRecord, Store, StoreTx } from '../../ports/store.ts';
import type { MeetingDetails } from '../contacts/contact-details.ts';
import type {
  ConnectionData,
  ListContactReferencesRequest,
  ListContactReferencesResponse,
  StartWebRTCContactRequest,
  StartWebRTCContactResponse,
} from '../../generated/connect/shapes.ts';
import { LimitExceededException } from '../../generated/connect/errors.ts';
import { claimOnce } from '../idempotency.ts';
import type { InstanceCaller, InstanceService } from '../instances/instance-service.ts';
import { issueToken, tokenMatches, tokenParticipantId } from '../participant-token.ts';
import { checkAttributes } from '../contacts/attributes.ts';
import type { ContactLifecycle } from '../contacts/contact-lifecycle.ts';
import { requireContact, type InboundFlows } from '../contacts/contact-lookups.ts';
import { checkReferences, referenceSummaries } from '../contacts/references.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';

/** The per-instance counter of calls not yet ended (the concurrent-calls quota). */
export const ACTIVE_CALLS = 'activeCalls';
/** The due work that ends a call whose customer has not joined in time. */
export const CALL_JOIN_WINDOW = 'call-join-window';
/** A customer must join the meeting this soon after StartWebRTCContact, or the call ends. */
export const CALL_JOIN_WINDOW_MS = 5 * 60_000;
export const joinWindowId = (contactId: string) => `${CALL_JOIN_WINDOW}:${contactId}`;
/**
 * The due work that ends a call whose media has gone (TELECOM_PROBLEM): the node holding the
 * meeting pushes it back while the meeting lives (MEDIA_RENEW_MS); if that node stops or
 * restarts, the meeting is gone, the item comes due, and any node ends the call.
 */
export const CALL_MEDIA_LEASE = 'call-media-lease';
export const CALL_MEDIA_LEASE_MS = 60_000;
/** How often a node renews the leases of the meetings it holds. */
export const MEDIA_RENEW_MS = 20_000;
export const mediaLeaseId = (contactId: string) => `${CALL_MEDIA_LEASE}:${contactId}`;

/**
 * Where a meeting's media is: this node's addresses, as the Chime SDK reads them (shared
 * spec webrtc-media.md §1), from the websocket base the node announces (ws://host:port).
 */
export class MediaPlacementUrls {
  /** Set once the node listens. */
  base = '';

  signalingUrl(meetingId: string): string {
    return `${this.base}/control/${meetingId}`;
  }

  /** Only tells the SDK that the meeting has audio: host:port. */
  audioHostUrl(): string {
    return new URL(this.base).host;
  }

  eventIngestionUrl(): string {
    return `${this.base.replace(/^ws/, 'http')}/meetings/events`;
  }
}

/** Who a signaling socket is: an attendee of a live call's meeting. */
export interface MeetingAttendee {
  meetingId: string;
  attendeeId: string;
  participantId: string;
  contactId: string;
  /** The customer's attendee, or the agent's. */
  customer: boolean;
  /** Whether the call's AllowedCapabilities let this participant's side send video. */
  videoAllowed: boolean;
}

export interface WebCallsDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  instances: InstanceService;
  inboundFlows: InboundFlows;
  lifecycle: ContactLifecycle;
  flows: Pick<FlowRunner, 'startIn'>;
  placement: MediaPlacementUrls;
  /** The Region meetings are reported in (MediaRegion). */
  region: string;
  limits: { activeCallsPerInstance: number };
}

export class WebCalls {
  readonly #d: WebCallsDeps;

  constructor(deps: WebCallsDeps) {
    this.#d = deps;
  }

  async start(caller: InstanceCaller, req: StartWebRTCContactRequest): Promise<StartWebRTCContactResponse> {
    if (req.Attributes) checkAttributes(req.Attributes);
    if (req.References) checkReferences(req.References);
    const { store, clock, ids, limits } = this.#d;
    return store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, req.InstanceId);
      const flow = await this.#d.inboundFlows.require(tx, instance, req.ContactFlowId);
      if (req.RelatedContactId) await requireContact(tx, instance, req.RelatedContactId);

      const now = clock.now();
      const contactId = ids.uuid();
      const customerId = ids.uuid();
      const meetingId = ids.uuid();
      const attendeeId = ids.uuid();
      const token = issueToken(ids, customerId);
      const join = issueToken(ids, customerId);
      const response: StartWebRTCContactResponse = {
        ContactId: contactId,
        ParticipantId: customerId,
        ParticipantToken: token.token,
        ConnectionData: this.#connectionData(meetingId, attendeeId, join.token),
      };
      // Claimed with this response; if anything below refuses the call, the claim rolls back with it.
      const first = await claimOnce(tx, `StartWebRTCContact/${instance.id}`, req, response, now);
      if (first) return first;
      if (
        (await tx.counters.add(instance.id, ACTIVE_CALLS, 1, limits.activeCallsPerInstance)) === undefined
      ) {
        throw new LimitExceededException(
          `The instance has reached its quota of ${limits.activeCallsPerInstance} concurrent calls`,
        );
      }
      await this.#d.lifecycle.start(tx, instance, {
        id: contactId,
        channel: 'VOICE',
        initiationMethod: 'WEBRTC_API',
        flowId: flow.id,
        relatedContactId: req.RelatedContactId,
        attributes: req.Attributes ?? {},
        details: {
          ...(req.Description !== undefined && { description: req.Description }),
          ...(req.References && { references: req.References }),
          ...(req.AllowedCapabilities && { allowedCapabilities: req.AllowedCapabilities }),
          meeting: { meetingId, attendees: { [customerId]: { attendeeId, joinTokenDigest: join.digest } } },
        },
        customer: {
          id: customerId,
          displayName: req.ParticipantDetails.DisplayName,
          tokenDigest: token.digest,
        },
      });
      await tx.due.schedule({
        id: joinWindowId(contactId),
        kind: CALL_JOIN_WINDOW,
        dueAt: now + CALL_JOIN_WINDOW_MS,
        payload: { instanceId: instance.id, contactId },
      });
      return response;
    });
  }

  /**
   * The meeting's attendee for a participant who joins the call (the agent who accepted it, or
   * reconnects to it), with a new JoinToken: only its digest is kept, so each asking gets a new
   * one, and the one before stops working.
   */
  async joinAs(
    tx: StoreTx,
    contactId: string,
    instanceId: string,
    participantId: string,
  ): Promise<ConnectionData> {
    const contact = await tx.contacts.get(instanceId, contactId);
    const meeting = contact?.details.meeting;
    if (!contact || !meeting) throw new Error(`contact ${contactId} has no meeting`);
    const attendeeId = meeting.attendees[participantId]?.attendeeId ?? this.#d.ids.uuid();
    const join = issueToken(this.#d.ids, participantId);
    await tx.contacts.update(
      withAttendee(contact, participantId, { attendeeId, joinTokenDigest: join.digest }),
    );
    return this.#connectionData(meeting.meetingId, attendeeId, join.token);
  }

  /**
   * An attendee's media is up (the meeting's node saw its first audio). The first time the
   * customer's is, the call has been joined: its join window is gone and its flow starts.
   */
  async attendeeUp(attendee: MeetingAttendee): Promise<void> {
    await this.#withCall(attendee, async (tx, contact, participant) => {
      const joined = contact.details.meeting!.attendees[attendee.participantId];
      if (!joined || joined.joinedAt !== undefined) return;
      const updated = withAttendee(contact, attendee.participantId, {
        ...joined,
        joinedAt: this.#d.clock.now(),
      });
      await tx.contacts.update(updated);
      if (participant.role !== 'CUSTOMER') return;
      await tx.due.cancel(joinWindowId(contact.id));
      await this.#lease(tx, contact);
      await this.#d.flows.startIn(tx, updated);
    });
  }

  /** The meetings of these attendees' calls are alive on their node: their media leases go on, in one transaction. */
  async mediaAlive(attendees: MeetingAttendee[]): Promise<void> {
    await this.#d.store.transaction(async (tx) => {
      for (const attendee of attendees) {
        const call = await this.#call(tx, attendee);
        if (call?.contact.details.meeting?.attendees[attendee.participantId]?.joinedAt !== undefined)
          await this.#lease(tx, call.contact);
      }
    });
  }

  /** A call's media lease ran out (its meeting's node stopped): the call ends, TELECOM_PROBLEM. */
  async mediaLost(item: DueItem, owner: string): Promise<void> {
    const { instanceId, contactId } = item.payload as { instanceId: string; contactId: string };
    await this.#d.store.transaction(async (tx) => {
      if (!(await tx.due.done(item.id, owner))) return; // renewed since it was claimed
      const contact = await tx.contacts.get(instanceId, contactId);
      if (contact?.state === 'ACTIVE') await this.#d.lifecycle.end(tx, contact, 'TELECOM_PROBLEM');
    });
  }

  async #lease(tx: StoreTx, contact: ContactRecord): Promise<void> {
    await tx.due.schedule({
      id: mediaLeaseId(contact.id),
      kind: CALL_MEDIA_LEASE,
      dueAt: this.#d.clock.now() + CALL_MEDIA_LEASE_MS,
      payload: { instanceId: contact.instanceId, contactId: contact.id },
    });
  }

  /** An attendee left the meeting: their participant hung up, and the call ends. */
  async attendeeLeft(attendee: MeetingAttendee): Promise<void> {
    await this.#withCall(attendee, async (tx, contact, participant) => {
      if (participant.leftAt !== undefined) return;
      const reason = participant.role === 'CUSTOMER' ? 'CUSTOMER_DISCONNECT' : 'AGENT_DISCONNECT';
      await this.#d.lifecycle.end(tx, contact, reason, { leaving: participant });
    });
  }

  /** Ends a call of a due join-window item whose customer has not joined (EXPIRED). */
  async joinWindowPassed(item: DueItem): Promise<void> {
    const { instanceId, contactId } = item.payload as { instanceId: string; contactId: string };
    await this.#d.store.transaction(async (tx) => {
      const contact = await tx.contacts.get(instanceId, contactId);
      if (contact?.state !== 'ACTIVE') return;
      await this.#d.lifecycle.end(tx, contact, 'EXPIRED');
    });
  }

  /**
   * The attendee a JoinToken belongs to while its call is active (and, if `meetingId` is given,
   * in that meeting: the one its signaling URL names); undefined for any other token.
   */
  async attendeeOf(joinToken: string, meetingId?: string): Promise<MeetingAttendee | undefined> {
    const participantId = tokenParticipantId(joinToken);
    if (participantId === undefined) return undefined;
    return this.#d.store.transaction(async (tx) => {
      const participant = await tx.participants.get(participantId);
      const contact = participant && (await tx.contacts.get(participant.instanceId, participant.contactId));
      const meeting = contact?.state === 'ACTIVE' ? contact.details.meeting : undefined;
      const attendee =
        meeting && (meetingId === undefined || meeting.meetingId === meetingId)
          ? meeting.attendees[participantId]
          : undefined;
      if (
        !attendee ||
        participant?.leftAt !== undefined ||
        !tokenMatches(joinToken, attendee.joinTokenDigest)
      )
        return undefined;
      const side = participant!.role === 'CUSTOMER' ? 'Customer' : 'Agent';
      return {
        meetingId: meeting!.meetingId,
        attendeeId: attendee.attendeeId,
        participantId,
        contactId: contact!.id,
        customer: side === 'Customer',
        videoAllowed: contact!.details.allowedCapabilities?.[side]?.Video === 'SEND',
      };
    });
  }

  /** Runs fn in a transaction with the attendee's call and participant, if the call is still active. */
  async #withCall(
    attendee: MeetingAttendee,
    fn: (tx: StoreTx, contact: ContactRecord, participant: ParticipantRecord) => Promise<void>,
  ): Promise<void> {
    await this.#d.store.transaction(async (tx) => {
      const call = await this.#call(tx, attendee);
      if (call) await fn(tx, call.contact, call.participant);
    });
  }

  /** The attendee's active call and its participant; undefined once the call has ended. */
  async #call(
    tx: StoreTx,
    attendee: MeetingAttendee,
  ): Promise<{ contact: ContactRecord; participant: ParticipantRecord } | undefined> {
    const participant = await tx.participants.get(attendee.participantId);
    const contact = participant && (await tx.contacts.get(participant.instanceId, attendee.contactId));
    return contact?.state === 'ACTIVE' && contact.details.meeting?.meetingId === attendee.meetingId
      ? { contact, participant: participant! }
      : undefined;
  }

  #connectionData(meetingId: string, attendeeId: string, joinToken: string): ConnectionData {
    const { placement } = this.#d;
    return {
      Meeting: {
        MeetingId: meetingId,
        MediaRegion: this.#d.region,
        MediaPlacement: {
          SignalingUrl: placement.signalingUrl(meetingId),
          AudioHostUrl: placement.audioHostUrl(),
          EventIngestionUrl: placement.eventIngestionUrl(),
        },
        // Echo reduction loads its model from Amazon's CDN, which a local call may not reach.
        MeetingFeatures: { Audio: { EchoReduction: 'UNAVAILABLE' } },
      },
      Attendee: { AttendeeId: attendeeId, JoinToken: joinToken },
    };
  }

  async listReferences(
    caller: InstanceCaller,
    req: ListContactReferencesRequest,
  ): Promise<ListContactReferencesResponse> {
    return this.#d.store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, req.InstanceId);
      const contact = await requireContact(tx, instance, req.ContactId);
      return {
        ReferenceSummaryList: referenceSummaries(contact.details.references ?? {}, req.ReferenceTypes),
      };
    });
  }
}

/** The contact with one participant's attendee in its meeting written (added or replaced). */
function withAttendee(
  contact: ContactRecord,
  participantId: string,
  attendee: MeetingDetails['attendees'][string],
): ContactRecord {
  const meeting = contact.details.meeting!;
  return {
    ...contact,
    details: {
      ...contact.details,
      meeting: { ...meeting, attendees: { ...meeting.attendees, [participantId]: attendee } },
    },
  };
}

/**
 * The node's media plane: the meetings whose sessions this node holds, each from its first
 * socket until nothing of it is left, and each listening for its call's changes on the bus
 * (topics.meeting: MeetingEvent), wherever the call's domain work was done. The root of the
 * media objects' ownership: node → meeting → attendee session → peer → tracks; closing the
 * plane closes everything under it.
 */
import { topics, type EventBus, type Unsubscribe } from '../ports/event-bus.ts';
import type { EndpointLog } from '../gateway/websocket-endpoint.ts';
import type { MediaConfig } from '../config.ts';
import type { CallAudio } from '../ports/call-audio.ts';
import { MEDIA_RENEW_MS, type MeetingAttendee } from '../domain/calls/web-calls.ts';
import type { MeetingEvent } from '../domain/calls/call-lifecycle.ts';
import type { AttendeeSession, SignalLink } from './attendee-session.ts';
import { Meeting, type MeetingEvents } from './meeting.ts';

export interface MediaPlaneOptions {
  bus: EventBus;
  events: MeetingEvents;
  audio: CallAudio;
  media: MediaConfig;
  log: EndpointLog;
  now: () => number;
}

export class MediaPlane {
  readonly #o: MediaPlaneOptions;
  readonly #meetings = new Map<string, { meeting: Meeting; unsubscribe: Unsubscribe }>();
  /** Renews the media leases of the node's meetings every MEDIA_RENEW_MS of the node's clock. */
  readonly #renewal: NodeJS.Timeout;
  #renewedAt: number;

  constructor(o: MediaPlaneOptions) {
    this.#o = o;
    this.#renewedAt = o.now();
    this.#renewal = setInterval(() => this.#renew(), 1000);
    this.#renewal.unref();
  }

  /** How many meetings the node holds (none once every call has ended and every socket closed). */
  get size(): number {
    return this.#meetings.size;
  }

  /** A new socket of an attendee; the meeting is made on its first. */
  open(attendee: MeetingAttendee, link: SignalLink): AttendeeSession {
    return this.#meeting(attendee.meetingId).open(attendee, link);
  }

  close(): void {
    clearInterval(this.#renewal);
    for (const { meeting } of [...this.#meetings.values()]) meeting.close();
    void this.#o.audio.close();
  }

  #renew(): void {
    const now = this.#o.now();
    if (now - this.#renewedAt < MEDIA_RENEW_MS) return;
    this.#renewedAt = now;
    const attendees = [...this.#meetings.values()].flatMap(({ meeting }) => meeting.anyAttendee ?? []);
    if (attendees.length === 0) return;
    this.#o.events
      .mediaAlive(attendees)
      .catch((err: unknown) =>
        this.#o.log.warn({ endpoint: 'signaling', err }, 'could not renew the media leases'),
      );
  }

  #meeting(id: string): Meeting {
    const held = this.#meetings.get(id);
    if (held) return held.meeting;
    const { bus, events, audio, media, log, now } = this.#o;
    const meeting: Meeting = new Meeting(id, {
      events,
      audio,
      media,
      log,
      now,
      onEmpty: () => {
        const entry = this.#meetings.get(id);
        if (entry?.meeting !== meeting) return;
        this.#meetings.delete(id);
        entry.unsubscribe();
      },
    });
    const unsubscribe = bus.subscribe(topics.meeting(id), (e) => {
      const event = e as MeetingEvent;
      if (event.ended) meeting.end();
      if (event.say !== undefined) meeting.say(event.say);
      if (event.hold !== undefined) meeting.hold(event.hold);
    });
    this.#meetings.set(id, { meeting, unsubscribe });
    return meeting;
  }
}

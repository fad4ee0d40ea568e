/**
 * EventBus: fan-out of contact events (chat items, participant changes, routing) to whichever
 * node holds the subscriber. Notification only, at most once: whatever must survive a crash
 * is in the Store before it is published. Default: in-process (adapters/bus/local-event-bus.ts);
 * scale-out: Redis pub/sub.
 */
export type Unsubscribe = () => void;

export interface EventBus {
  publish(topic: string, event: unknown): void;
  /** The handler runs for every event published on the topic after this call returns. */
  subscribe(topic: string, handler: (event: unknown) => void): Unsubscribe;
}

/** Topics, in one place so publishers and subscribers agree. */
export const topics = {
  /** Every transcript item and ephemeral event of a chat, in transcript order: ChatEvent. */
  chat: (initialContactId: string) => `chat.${initialContactId}`,
  /** Something in an agent's routing state changed: no payload, the subscriber reads the store. */
  agent: (instanceId: string, userId: string) => `agent.${instanceId}.${userId}`,
  /** Contacts or agents of an instance's queues changed: no payload. */
  queues: (instanceId: string) => `queues.${instanceId}`,
  /** A web call's meeting changed: MeetingEvent (media/signaling). */
  meeting: (meetingId: string) => `meeting.${meetingId}`,
};

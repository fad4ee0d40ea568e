/**
 * What a contact keeps beyond its record's columns (ContactRecord.details, stored as JSON): what
 * every channel's contact gathers as it is routed (the flow's run, its queue, its agent), and
 * what its channel was started with. Written only through these types, so a reader needs no
 * cast; the store hands back what it was given.
 */
import type {
  AllowedCapabilities,
  ChatMessage,
  DisconnectOnCustomerExitParticipantType,
  ParticipantConfiguration,
  Reference,
  SegmentAttributeValue,
} from '../../generated/connect/shapes.ts';
import type { QueueRef, RecordingSettings, RunState } from '../flows/types.ts';

/** DescribeContact's QueueInfo, as set when the flow transfers the contact to a queue. */
export interface QueueInfo {
  Id: string;
  EnqueueTimestamp: number;
}

/** DescribeContact's AgentInfo, as set when an agent accepts, and closed by after-contact work. */
export interface AgentInfo {
  /** The agent's user id. */
  Id: string;
  /** The agent's participant in the contact. */
  ParticipantId?: string;
  AcceptedByAgentTimestamp: number;
  ConnectedToAgentTimestamp: number;
  AfterContactWorkStartTimestamp?: number;
  AfterContactWorkEndTimestamp?: number;
}

/** What routing and the flow keep, whatever the channel. */
export interface RoutingDetails {
  /** The flow's run while it waits (Wait, GetParticipantInput), until the flow ends. */
  flowRun?: RunState;
  /** Set by the flow's SetQueue; TransferToQueue hands the contact to it. */
  targetQueue?: QueueRef;
  queueInfo?: QueueInfo;
  agentInfo?: AgentInfo;
  recordingBehavior?: RecordingSettings;
  /** Flow ids by event hook (SetEventHook). */
  eventHooks?: Record<string, string>;
  customerId?: string;
  segmentAttributes?: Record<string, SegmentAttributeValue>;
}

/** What StartChatContact starts a chat with, and what the chat records as it goes. */
export interface ChatDetails {
  chatDurationInMinutes?: number;
  supportedMessagingContentTypes?: string[];
  initialMessage?: ChatMessage;
  participantConfiguration?: ParticipantConfiguration;
  disconnectOnCustomerExit?: DisconnectOnCustomerExitParticipantType[];
  /** When the customer left a chat that went on with its agent. */
  customerLeftAt?: number;
}

/** A web call's meeting: its id, and each participant's attendee in it. */
export interface MeetingDetails {
  meetingId: string;
  /** By participant id: the attendee, and a digest of its JoinToken (never the token). */
  attendees: Record<string, { attendeeId: string; joinTokenDigest: string; joinedAt?: number }>;
}

/** What StartWebRTCContact starts a web call with. */
export interface CallDetails {
  description?: string;
  references?: Record<string, Reference>;
  allowedCapabilities?: AllowedCapabilities;
  meeting?: MeetingDetails;
}

export type ContactDetails = RoutingDetails & ChatDetails & CallDetails;

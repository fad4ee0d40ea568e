/** The agent workspace API's shapes (docs/agent-workspace-api.md). */

export type StatusType = 'ROUTABLE' | 'CUSTOM' | 'OFFLINE';

export interface AgentStatus {
  id: string;
  name: string;
  type: StatusType;
}

export interface AgentState {
  user: { id: string; username: string; firstName: string; lastName: string };
  instanceId: string;
  status: AgentStatus & { since: number };
  statuses: AgentStatus[];
  routingProfile: { id: string; name: string; concurrency: Record<string, number> };
  contacts: AgentContact[];
  queues: QueueStats[];
}

export type ContactState = 'CONNECTING' | 'CONNECTED' | 'ENDED' | 'MISSED';

export interface AgentContact {
  contactId: string;
  channel: 'CHAT';
  state: ContactState;
  since: number;
  offerExpiresAt?: number;
  queue: { id: string; name: string };
  customerName: string;
  attributes: Record<string, string>;
  enqueuedAt: number;
  connectedAt?: number;
  disconnectReason?: string;
}

export interface QueueStats {
  id: string;
  name: string;
  contactsInQueue: number;
  oldestContactAgeSeconds: number;
  agentsOnline: number;
  agentsAvailable: number;
}

export interface Connection {
  participantId: string;
  connectionToken: string;
  websocketUrl: string;
}

export type EventsMessage = { type: 'state'; state: AgentState } | { type: 'signedOut' };

/** A chat transcript item as the chat websocket and GetTranscript carry it. */
export type ParticipantRole = 'CUSTOMER' | 'AGENT' | 'SYSTEM' | 'CUSTOM_BOT' | 'SUPERVISOR';

export interface Receipt {
  RecipientParticipantId: string;
  DeliveredTimestamp?: string;
  ReadTimestamp?: string;
}

export interface ChatItem {
  Id: string;
  AbsoluteTime: string;
  Type: 'MESSAGE' | 'EVENT' | 'ATTACHMENT' | 'MESSAGEMETADATA' | (string & {});
  ContentType: string;
  Content?: string;
  ParticipantId?: string;
  DisplayName?: string;
  ParticipantRole?: ParticipantRole;
  MessageMetadata?: { MessageId: string; Receipts?: Receipt[] };
  ContactId?: string;
  InitialContactId?: string;
}

const EVENT = 'application/vnd.amazonaws.connect.event.';
export const contentTypes = {
  typing: `${EVENT}typing`,
  joined: `${EVENT}participant.joined`,
  left: `${EVENT}participant.left`,
  ended: `${EVENT}chat.ended`,
  delivered: `${EVENT}message.delivered`,
  read: `${EVENT}message.read`,
} as const;

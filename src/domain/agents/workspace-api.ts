/**
 * The shapes the agent workspace API carries (docs/agent-workspace-api.md), in one place for
 * both ends: the node builds them (agent-view.ts, agent-service.ts, the agent gateway) and the
 * workspace in web/agent reads them. Type-only imports of Node-free modules, so the workspace's
 * browser build can import this file as it is.
 */
import type { Channel } from '../../ports/store.ts';
import type { ConnectionData, Reference } from '../../generated/connect/shapes.ts';
import type { AgentContactState, AgentStatusType } from '../routing/agent.ts';

export interface AgentStatusView {
  id: string;
  name: string;
  type: AgentStatusType;
}

export interface QueueStats {
  id: string;
  name: string;
  contactsInQueue: number;
  oldestContactAgeSeconds: number;
  agentsOnline: number;
  agentsAvailable: number;
}

export interface AgentContactView {
  contactId: string;
  channel: Channel;
  state: AgentContactState;
  since: number;
  offerExpiresAt?: number;
  queue: { id: string; name: string };
  customerName: string;
  attributes: Record<string, string>;
  /** A call's Description and References (StartWebRTCContact), as the agent is shown them. */
  description?: string;
  references?: Record<string, Reference>;
  /** A call whose AllowedCapabilities let the agent send video. */
  agentVideo?: true;
  /** The SNS topics the chat streams to (StartContactStreaming); absent when none. */
  streams?: { streamingId: string; endpointArn: string }[];
  enqueuedAt: number;
  connectedAt?: number;
  disconnectReason?: string;
}

/** AgentState in the API's documentation. */
export interface AgentView {
  user: { id: string; username: string; firstName: string; lastName: string };
  instanceId: string;
  status: AgentStatusView & { since: number };
  statuses: AgentStatusView[];
  routingProfile: { id: string; name: string; concurrency: Record<string, number> };
  contacts: AgentContactView[];
  queues: QueueStats[];
}

/** What accepting or reconnecting to a chat answers: the agent's participant connection. */
export interface ChatConnection {
  participantId: string;
  connectionToken: string;
  websocketUrl: string;
}

/** What accepting or reconnecting to a call answers: the meeting to join, as the agent's attendee. */
export interface CallConnection {
  participantId: string;
  connectionData: ConnectionData;
}

export type AgentConnection = ChatConnection | CallConnection;

/** A message on the workspace's events socket. */
export type AgentEventsMessage = { type: 'state'; state: AgentView } | { type: 'signedOut' };

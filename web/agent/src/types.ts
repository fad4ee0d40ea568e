/**
 * The agent workspace API's shapes (docs/agent-workspace-api.md) and the chat items the chat
 * websocket carries: the node's own definitions, under the names the workspace uses.
 */
export type {
  AgentConnection as Connection,
  CallConnection as CallConnectionData,
  ChatConnection as ChatConnectionData,
  AgentContactView as AgentContact,
  AgentEventsMessage as EventsMessage,
  AgentStatusView as AgentStatus,
  AgentView as AgentState,
  QueueStats,
} from '../../../src/domain/agents/workspace-api.ts';
export type { ChatItem, Receipt } from '../../../src/domain/chat/chat-item.ts';
export { contentTypes } from '../../../src/domain/chat/chat-item.ts';

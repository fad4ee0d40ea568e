/**
 * An agent's live routing state, as stored in AgentRecord.state: their status, whether a
 * workspace is connected, their routing profile, and the contacts they hold. The rules that
 * read it (who may be offered what) are here; the Router changes it.
 */
import type { AgentRecord, Channel } from '../../ports/store.ts';

export type AgentStatusType = 'ROUTABLE' | 'CUSTOM' | 'OFFLINE';

export interface AgentStatusRef {
  id: string;
  arn: string;
  name: string;
  type: AgentStatusType;
}

/**
 * A contact as the agent holds it (the agent event stream's contact states):
 * CONNECTING offered, not yet accepted; CONNECTED accepted; ENDED after-contact work;
 * MISSED the offer expired. Every one of them takes a slot until it is gone.
 */
export type AgentContactState = 'CONNECTING' | 'CONNECTED' | 'ENDED' | 'MISSED';

export interface AgentContact {
  contactId: string;
  channel: Channel;
  queueId: string;
  state: AgentContactState;
  since: number;
  enqueuedAt: number;
  offerExpiresAt?: number;
  connectedAt?: number;
}

export interface AgentState {
  status: AgentStatusRef & { since: number };
  /** Workspace event sockets open for the agent; offered nothing while 0. */
  online: number;
  routingProfileId: string;
  /** When the agent last became free for work: longest idle is offered first. */
  idleSince: number;
  contacts: AgentContact[];
}

export interface Agent {
  instanceId: string;
  userId: string;
  state: AgentState;
}

export const toAgent = (r: AgentRecord): Agent => ({
  instanceId: r.instanceId,
  userId: r.userId,
  state: r.state as unknown as AgentState,
});

export const toRecord = (a: Agent): AgentRecord => ({
  instanceId: a.instanceId,
  userId: a.userId,
  state: a.state as unknown as Record<string, unknown>,
});

/** A routing profile's queue for one channel, as the Connect API defines it. */
export interface QueueConfig {
  QueueReference: { QueueId: string; Channel: Channel };
  /** 1 is offered first. */
  Priority: number;
  /** Seconds a contact waits in the queue before agents of this profile are offered it. */
  Delay: number;
}

export interface RoutingProfileBody {
  MediaConcurrencies: { Channel: Channel; Concurrency: number }[];
  QueueConfigs: QueueConfig[];
}

export function concurrency(profile: RoutingProfileBody | undefined, channel: Channel): number {
  return profile?.MediaConcurrencies.find((m) => m.Channel === channel)?.Concurrency ?? 0;
}

/** Whether the agent takes new work at all: routable status, a workspace open, nothing missed. */
export function isRoutable(a: AgentState): boolean {
  return a.status.type === 'ROUTABLE' && a.online > 0 && !a.contacts.some((c) => c.state === 'MISSED');
}

/** Slots left on a channel. */
export function freeSlots(a: AgentState, profile: RoutingProfileBody | undefined, channel: Channel): number {
  return concurrency(profile, channel) - a.contacts.filter((c) => c.channel === channel).length;
}

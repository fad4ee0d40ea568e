/**
 * The agent's state as the workspace shows it (docs/agent-workspace-api.md: AgentState), read
 * from the store: who they are, their status, their contacts with what the workspace needs to
 * show them, and the figures of their queues.
 */
import type { Channel, ResourceRecord, StoreTx } from '../../ports/store.ts';
import {
  isRoutable,
  freeSlots,
  toAgent,
  type AgentStatusType,
  type RoutingProfileBody,
} from '../routing/agent.ts';
import type { AgentContactView, AgentView, QueueStats } from './workspace-api.ts';

/** Every resource of a kind in the instance (admin resources are few). */
export async function listAll(
  tx: StoreTx,
  instanceId: string,
  kind: ResourceRecord['kind'],
): Promise<ResourceRecord[]> {
  const all: ResourceRecord[] = [];
  let after: number | undefined;
  do {
    const page = await tx.resources.list(instanceId, kind, after, 1000);
    all.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return all;
}

/** Live figures of every queue of the instance, for one channel. */
export async function queueStats(
  tx: StoreTx,
  instanceId: string,
  now: number,
  channel: Channel = 'CHAT',
): Promise<QueueStats[]> {
  const queues = await listAll(tx, instanceId, 'queue');
  const queued = await tx.queuedContacts.list(instanceId);
  const agents = (await tx.agents.list(instanceId)).map(toAgent);
  const profiles = new Map<string, RoutingProfileBody | undefined>();
  for (const a of agents) {
    const id = a.state.routingProfileId;
    if (!profiles.has(id))
      profiles.set(
        id,
        (await tx.resources.get(instanceId, 'routing-profile', id))?.body as RoutingProfileBody | undefined,
      );
  }
  return queues.map((q) => {
    const waiting = queued.filter((e) => e.queueId === q.id && e.channel === channel);
    const serving = agents.filter((a) =>
      profiles
        .get(a.state.routingProfileId)
        ?.QueueConfigs.some((c) => c.QueueReference.QueueId === q.id && c.QueueReference.Channel === channel),
    );
    const oldest = waiting.reduce((min, e) => Math.min(min, e.enqueuedAt), now);
    return {
      id: q.id,
      name: q.name,
      contactsInQueue: waiting.length,
      oldestContactAgeSeconds: Math.max(0, Math.floor((now - oldest) / 1000)),
      agentsOnline: serving.filter((a) => a.state.online > 0 && a.state.status.type !== 'OFFLINE').length,
      agentsAvailable: serving.filter(
        (a) => isRoutable(a.state) && freeSlots(a.state, profiles.get(a.state.routingProfileId), channel) > 0,
      ).length,
    };
  });
}

/**
 * The agent's view; `stats`: the instance's queue figures when the caller has them at hand
 * (the events gateway computes them once for every agent of the instance).
 */
export async function agentView(
  tx: StoreTx,
  instanceId: string,
  userId: string,
  now: number,
  stats?: QueueStats[],
): Promise<AgentView> {
  const record = await tx.agents.get(instanceId, userId);
  const user = await tx.resources.get(instanceId, 'user', userId);
  if (!record || !user) throw new Error(`no agent ${userId}`);
  const agent = toAgent(record).state;
  const profile = await tx.resources.get(instanceId, 'routing-profile', agent.routingProfileId);
  const body = profile?.body as RoutingProfileBody | undefined;
  const identity = (user.body.IdentityInfo ?? {}) as { FirstName?: string; LastName?: string };
  const statuses = (await listAll(tx, instanceId, 'agent-status'))
    .filter((s) => s.body.State !== 'DISABLED')
    .sort((a, b) => ((a.body.DisplayOrder as number) ?? 99) - ((b.body.DisplayOrder as number) ?? 99));
  const queueNames = new Map<string, string>();
  const contacts: AgentContactView[] = [];
  for (const held of agent.contacts) {
    const contact = await tx.contacts.get(instanceId, held.contactId);
    if (!queueNames.has(held.queueId))
      queueNames.set(
        held.queueId,
        (await tx.resources.get(instanceId, 'queue', held.queueId))?.name ?? held.queueId,
      );
    const customer = (await tx.participants.listByContact(held.contactId)).find((p) => p.role === 'CUSTOMER');
    contacts.push({
      contactId: held.contactId,
      channel: held.channel,
      state: held.state,
      since: held.since,
      ...(held.offerExpiresAt !== undefined && { offerExpiresAt: held.offerExpiresAt }),
      queue: { id: held.queueId, name: queueNames.get(held.queueId)! },
      customerName: customer?.displayName ?? 'Customer',
      attributes: contact?.attributes ?? {},
      ...(contact?.details.description !== undefined && { description: contact.details.description }),
      ...(contact?.details.references && { references: contact.details.references }),
      ...(contact?.details.allowedCapabilities?.Agent?.Video === 'SEND' && { agentVideo: true as const }),
      ...(contact?.streams?.length && {
        streams: contact.streams.map(({ streamingId, endpointArn }) => ({ streamingId, endpointArn })),
      }),
      enqueuedAt: held.enqueuedAt,
      ...(held.connectedAt !== undefined && { connectedAt: held.connectedAt }),
      ...(held.state === 'ENDED' &&
        contact?.disconnectReason && { disconnectReason: contact.disconnectReason }),
    });
  }
  const profileQueues = new Set(body?.QueueConfigs.map((c) => c.QueueReference.QueueId) ?? []);
  const instanceStats = stats ?? (await queueStats(tx, instanceId, now));
  return {
    user: {
      id: user.id,
      username: user.name,
      firstName: identity.FirstName ?? '',
      lastName: identity.LastName ?? '',
    },
    instanceId,
    status: {
      id: agent.status.id,
      name: agent.status.name,
      type: agent.status.type,
      since: agent.status.since,
    },
    statuses: statuses.map((s) => ({ id: s.id, name: s.name, type: s.body.Type as AgentStatusType })),
    routingProfile: {
      id: agent.routingProfileId,
      name: profile?.name ?? '',
      concurrency: Object.fromEntries(
        (body?.MediaConcurrencies ?? []).map((m) => [m.Channel, m.Concurrency]),
      ),
    },
    contacts,
    queues: instanceStats.filter((q) => profileQueues.has(q.id)),
  };
}

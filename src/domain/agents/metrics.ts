/**
 * Real-time figures, as the Connect API gives them (GetCurrentMetricData, GetCurrentUserData),
 * read from the agents' routing state and the queued contacts inside the caller's transaction.
 *
 * What counts, after Amazon Connect's real-time metrics definitions:
 * - An agent is online with a status other than Offline and a workspace open (as the
 *   workspace's own queue figures count them), and counts for a queue when their routing
 *   profile has the queue on one of the channels asked about.
 * - Every online agent has one activity: Error (a missed contact), else On contact (a contact
 *   offered or connected), else After contact work, else Non-productive (a custom status),
 *   else idle. Staffed is everyone online but the non-productive.
 * - Available: routable (docs: a ROUTABLE status, no missed contact) with a free slot on one of
 *   the queue's channels, as the workspace counts it.
 * - AGENTS_AFTER_CONTACT_WORK counts contacts of the queue in after-contact work with online
 *   agents, not agents, as Amazon Connect's does (its documentation calls the name confusing).
 * - Active slots: contacts connected or in after-contact work; available slots: free slots of
 *   routable agents. CONTACTS_IN_QUEUE counts contacts waiting or offered and not yet accepted.
 * - OLDEST_CONTACT_AGE is in seconds with groupings and in milliseconds without, as Amazon
 *   Connect documents it (Unit says SECONDS either way).
 * Scheduled contacts (callbacks) do not exist here: CONTACTS_SCHEDULED is 0.
 */
import type { Channel, QueuedContactRecord, ResourceRecord, StoreTx } from '../../ports/store.ts';
import {
  freeSlots,
  isRoutable,
  toAgent,
  type Agent,
  type AgentContactState,
  type AgentState,
  type RoutingProfileBody,
} from '../routing/agent.ts';
import { listAll } from './agent-view.ts';

export const CURRENT_METRIC_UNITS = {
  AGENTS_ONLINE: 'COUNT',
  AGENTS_AVAILABLE: 'COUNT',
  AGENTS_ON_CALL: 'COUNT',
  AGENTS_ON_CONTACT: 'COUNT',
  AGENTS_NON_PRODUCTIVE: 'COUNT',
  AGENTS_AFTER_CONTACT_WORK: 'COUNT',
  AGENTS_ERROR: 'COUNT',
  AGENTS_STAFFED: 'COUNT',
  CONTACTS_IN_QUEUE: 'COUNT',
  CONTACTS_SCHEDULED: 'COUNT',
  OLDEST_CONTACT_AGE: 'SECONDS',
  SLOTS_ACTIVE: 'COUNT',
  SLOTS_AVAILABLE: 'COUNT',
} as const;

export type CurrentMetricName = keyof typeof CURRENT_METRIC_UNITS;
export type MetricGrouping = 'QUEUE' | 'CHANNEL';

export const isCurrentMetric = (name: string): name is CurrentMetricName =>
  Object.hasOwn(CURRENT_METRIC_UNITS, name);

/** The channels figures are for when the request names none (those Amazon Connect reports on). */
export const DEFAULT_METRIC_CHANNELS: Channel[] = ['VOICE', 'CHAT', 'TASK'];

export interface Ref {
  id: string;
  arn: string;
}

export interface MetricsQuery {
  /** The queues asked about, in the order asked. */
  queues: Ref[];
  channels: Channel[];
  /** In order; the first is the primary grouping. None: one result for everything asked about. */
  groupings: MetricGrouping[];
  /** Computed for every result (the caller picks and orders them). */
  metrics: CurrentMetricName[];
  now: number;
}

export interface MetricResult {
  queue?: Ref;
  channel?: Channel;
  values: Partial<Record<CurrentMetricName, number>>;
}

type Activity = 'ERROR' | 'ON_CONTACT' | 'AFTER_CONTACT_WORK' | 'NON_PRODUCTIVE' | 'IDLE';

/** What one read of the store gives the figures: agents of existing users, their profiles, the queues. */
interface Snapshot {
  agents: { agent: Agent; profile: RoutingProfileBody | undefined }[];
  queued: QueuedContactRecord[];
}

async function snapshot(tx: StoreTx, instanceId: string): Promise<Snapshot> {
  const users = new Set((await listAll(tx, instanceId, 'user')).map((u) => u.id));
  const profiles = new Map(
    (await listAll(tx, instanceId, 'routing-profile')).map((p) => [
      p.id,
      p.body as unknown as RoutingProfileBody,
    ]),
  );
  const agents = (await tx.agents.list(instanceId))
    .map(toAgent)
    // A deleted user's agent state outlives them, Offline; it counts for nothing.
    .filter((a) => users.has(a.userId))
    .map((agent) => ({ agent, profile: profiles.get(agent.state.routingProfileId) }));
  return { agents, queued: await tx.queuedContacts.list(instanceId) };
}

/** Signed in to a workspace with a status other than Offline. */
export const isOnline = (a: AgentState): boolean => a.online > 0 && a.status.type !== 'OFFLINE';

export function activity(a: AgentState): Activity {
  const has = (...states: AgentContactState[]) => a.contacts.some((c) => states.includes(c.state));
  if (has('MISSED')) return 'ERROR';
  if (has('CONNECTING', 'CONNECTED')) return 'ON_CONTACT';
  if (has('ENDED')) return 'AFTER_CONTACT_WORK';
  if (a.status.type === 'CUSTOM') return 'NON_PRODUCTIVE';
  return 'IDLE';
}

/** GetCurrentMetricData's results, one per group, in grouping order (queues and channels as asked). */
export async function currentMetrics(
  tx: StoreTx,
  instanceId: string,
  q: MetricsQuery,
): Promise<MetricResult[]> {
  const data = await snapshot(tx, instanceId);
  const levels = q.groupings.map((g) =>
    g === 'QUEUE'
      ? q.queues.map((queue) => ({ queue }))
      : q.channels.map((channel) => ({ channel }) as { queue?: Ref; channel?: Channel }),
  );
  let groups: { queue?: Ref; channel?: Channel }[] = [{}];
  for (const level of levels) groups = groups.flatMap((g) => level.map((l) => ({ ...g, ...l })));
  return groups.map((g) => ({
    ...(g.queue && { queue: g.queue }),
    ...(g.channel && { channel: g.channel }),
    values: figures(
      data,
      new Set(g.queue ? [g.queue.id] : q.queues.map((x) => x.id)),
      new Set(g.channel ? [g.channel] : q.channels),
      q,
    ),
  }));
}

function figures(
  data: Snapshot,
  queueIds: Set<string>,
  channels: Set<Channel>,
  q: MetricsQuery,
): Partial<Record<CurrentMetricName, number>> {
  const waiting = data.queued.filter((e) => queueIds.has(e.queueId) && channels.has(e.channel));
  // Online agents serving the group, with the group's channels their profile serves it on.
  const serving = data.agents
    .filter(({ agent }) => isOnline(agent.state))
    .map(({ agent, profile }) => ({
      state: agent.state,
      profile,
      channels: [
        ...new Set(
          (profile?.QueueConfigs ?? [])
            .filter((c) => queueIds.has(c.QueueReference.QueueId) && channels.has(c.QueueReference.Channel))
            .map((c) => c.QueueReference.Channel),
        ),
      ],
    }))
    .filter((s) => s.channels.length > 0);
  const count = (a: Activity) => serving.filter((s) => activity(s.state) === a).length;
  const onContact = count('ON_CONTACT');
  const oldest = waiting.reduce((min, e) => Math.min(min, e.enqueuedAt), q.now);
  const ageMs = Math.max(0, q.now - oldest);
  const all: Record<CurrentMetricName, () => number> = {
    AGENTS_ONLINE: () => serving.length,
    AGENTS_AVAILABLE: () =>
      serving.filter(
        (s) => isRoutable(s.state) && s.channels.some((c) => freeSlots(s.state, s.profile, c) > 0),
      ).length,
    AGENTS_ON_CALL: () => onContact,
    AGENTS_ON_CONTACT: () => onContact,
    AGENTS_NON_PRODUCTIVE: () => count('NON_PRODUCTIVE'),
    AGENTS_AFTER_CONTACT_WORK: () =>
      data.agents
        .filter(({ agent }) => isOnline(agent.state))
        .flatMap(({ agent }) => agent.state.contacts)
        .filter((c) => c.state === 'ENDED' && queueIds.has(c.queueId) && channels.has(c.channel)).length,
    AGENTS_ERROR: () => count('ERROR'),
    AGENTS_STAFFED: () => serving.length - count('NON_PRODUCTIVE'),
    CONTACTS_IN_QUEUE: () => waiting.length,
    CONTACTS_SCHEDULED: () => 0,
    OLDEST_CONTACT_AGE: () => (q.groupings.length > 0 ? Math.floor(ageMs / 1000) : ageMs),
    SLOTS_ACTIVE: () =>
      sum(
        serving.map(
          (s) =>
            s.state.contacts.filter(
              (c) => s.channels.includes(c.channel) && (c.state === 'CONNECTED' || c.state === 'ENDED'),
            ).length,
        ),
      ),
    SLOTS_AVAILABLE: () =>
      sum(
        serving
          .filter((s) => isRoutable(s.state))
          .map((s) => sum(s.channels.map((c) => Math.max(0, freeSlots(s.state, s.profile, c))))),
      ),
  };
  return Object.fromEntries(q.metrics.map((m) => [m, all[m]()]));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

// ------------------------------------------------------------------ GetCurrentUserData

/** One filter of GetCurrentUserData (Amazon Connect takes exactly one), and contact states. */
export interface UserDataQuery {
  queueIds?: Set<string>;
  routingProfileIds?: Set<string>;
  userIds?: Set<string>;
  /** Only users with a contact in one of these states. */
  contactStates?: Set<AgentContactState>;
}

export interface UserContactData {
  contactId: string;
  channel: Channel;
  initiationMethod?: string;
  state: AgentContactState;
  since: number;
  connectedAt?: number;
  queue: Ref;
}

export interface UserData {
  user: Ref;
  routingProfile: Ref;
  status: { since: number; arn: string; name: string };
  maxSlots: Partial<Record<Channel, number>>;
  activeSlots: Partial<Record<Channel, number>>;
  availableSlots: Partial<Record<Channel, number>>;
  contacts: UserContactData[];
}

/**
 * The users who are active now (a workspace open, a status other than Offline, or contacts
 * held) and match the query, in the order the users were created.
 */
export async function currentUserData(
  tx: StoreTx,
  instanceId: string,
  q: UserDataQuery,
): Promise<UserData[]> {
  const users = await listAll(tx, instanceId, 'user');
  const profiles = new Map((await listAll(tx, instanceId, 'routing-profile')).map((p) => [p.id, p]));
  const queues = new Map((await listAll(tx, instanceId, 'queue')).map((r) => [r.id, r]));
  const out: UserData[] = [];
  for (const user of users) {
    if (q.userIds && !q.userIds.has(user.id)) continue;
    const record = await tx.agents.get(instanceId, user.id);
    if (!record) continue;
    const a = toAgent(record).state;
    if (a.online === 0 && a.status.type === 'OFFLINE' && a.contacts.length === 0) continue;
    const profileRecord = profiles.get(a.routingProfileId);
    const profile = profileRecord?.body as RoutingProfileBody | undefined;
    if (q.routingProfileIds && !q.routingProfileIds.has(a.routingProfileId)) continue;
    if (q.queueIds && !profile?.QueueConfigs.some((c) => q.queueIds!.has(c.QueueReference.QueueId))) continue;
    if (q.contactStates && !a.contacts.some((c) => q.contactStates!.has(c.state))) continue;
    const slots = (f: (channel: Channel, max: number) => number) =>
      Object.fromEntries(
        (profile?.MediaConcurrencies ?? []).map((m) => [m.Channel, f(m.Channel, m.Concurrency)]),
      );
    const contacts: UserContactData[] = [];
    for (const held of a.contacts) {
      const contact = await tx.contacts.get(instanceId, held.contactId);
      contacts.push({
        contactId: held.contactId,
        channel: held.channel,
        ...(contact && { initiationMethod: contact.initiationMethod }),
        state: held.state,
        since: held.since,
        ...(held.connectedAt !== undefined && { connectedAt: held.connectedAt }),
        queue: refOf(queues.get(held.queueId)) ?? { id: held.queueId, arn: '' },
      });
    }
    out.push({
      user: refOf(user)!,
      routingProfile: refOf(profileRecord) ?? { id: a.routingProfileId, arn: '' },
      status: { since: a.status.since, arn: a.status.arn, name: a.status.name },
      maxSlots: slots((_c, max) => max),
      activeSlots: slots((c) => a.contacts.filter((x) => x.channel === c).length),
      availableSlots: slots((c) => (isRoutable(a) ? Math.max(0, freeSlots(a, profile, c)) : 0)),
      contacts,
    });
  }
  return out;
}

const refOf = (r: ResourceRecord | undefined): Ref | undefined => r && { id: r.id, arn: r.arn };

/**
 * The Connect API's operations on live routing: a user's status, routing profile and contacts
 * (PutUserStatus, UpdateUserRoutingProfile, DismissUserContact, DeleteUser), a routing
 * profile's queues and concurrency, and the real-time figures (GetCurrentUserData,
 * GetCurrentMetricData). A change and the routing it causes commit in one transaction (agents
 * are offered what the change makes due at once), and are announced once committed.
 *
 * Deviations from Amazon Connect:
 * - PutUserStatus sets the status at once, also while the agent is on a contact (Amazon
 *   Connect then sets it as the agent's next status).
 * - AssociateRoutingProfileQueues with a queue and channel already associated replaces its
 *   priority and delay; DisassociateRoutingProfileQueues of one not associated does nothing.
 *   UpdateRoutingProfileQueues of one not associated is InvalidParameterException.
 * - ManualAssignmentQueueConfigs are refused (InvalidRequestException).
 * - GetCurrentMetricData needs Filters.Queues, groups by QUEUE and CHANNEL only, and takes no
 *   other filter than Queues and Channels, nor MetricId (InvalidParameterException);
 *   GetCurrentUserData filters by Queues, RoutingProfiles or Agents (one of them) and
 *   ContactFilter; user hierarchy groups do not exist yet.
 */
import type { RequestContext } from '../../aws/request-context.ts';
import type * as S from '../../generated/connect/shapes.ts';
import {
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
} from '../../generated/connect/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Channel, InstanceRecord, ResourceRecord, Store, StoreTx } from '../../ports/store.ts';
import type { InstanceService } from '../../domain/instances/instance-service.ts';
import type { ResourceService } from '../../domain/resources/resource-service.ts';
import type { AgentService } from '../../domain/agents/agent-service.ts';
import type { Router, RoutingChanges } from '../../domain/routing/router.ts';
import { toAgent, type AgentContactState, type QueueConfig } from '../../domain/routing/agent.ts';
import { decodeNextToken, encodeNextToken } from '../../domain/pagination.ts';
import { idFromArnOrId } from '../../domain/arn.ts';
import {
  currentMetrics,
  currentUserData,
  CURRENT_METRIC_UNITS,
  DEFAULT_METRIC_CHANNELS,
  isCurrentMetric,
  type CurrentMetricName,
  type MetricGrouping,
  type MetricResult,
} from '../../domain/agents/metrics.ts';
import { callerOf, checkConcurrencies, inInstance } from './admin-provider.ts';

export interface RoutingProviderDeps {
  store: Store;
  clock: Clock;
  instances: InstanceService;
  resources: ResourceService;
  agents: AgentService;
  router: Router;
}

/** Contact states DismissUserContact takes (Amazon Connect's ERROR and REJECTED do not last here). */
const DISMISSABLE: AgentContactState[] = ['MISSED', 'ENDED'];

export class RoutingProvider {
  readonly #d: RoutingProviderDeps;

  constructor(deps: RoutingProviderDeps) {
    this.#d = deps;
  }

  /** Runs fn with the request's instance in one transaction; announces its routing changes after. */
  #change<T>(
    ctx: RequestContext,
    instanceId: string,
    fn: (tx: StoreTx, instance: InstanceRecord, changes: RoutingChanges) => Promise<T>,
  ): Promise<T> {
    return this.#d.agents.routing(async (tx, changes) =>
      fn(tx, await this.#d.instances.require(tx, callerOf(ctx), instanceId), changes),
    );
  }

  // ------------------------------------------------------------------ users

  async putUserStatus(input: S.PutUserStatusRequest, ctx: RequestContext): Promise<S.PutUserStatusResponse> {
    await this.#change(ctx, input.InstanceId, async (tx, instance, changes) => {
      const user = await this.#d.resources.require(tx, instance, 'user', input.UserId);
      const status = await this.#d.resources.require(tx, instance, 'agent-status', input.AgentStatusId);
      if (status.body.State === 'DISABLED')
        throw new InvalidRequestException(`Agent status ${status.name} is disabled`);
      await this.#d.agents.putStatus(tx, user, status, changes);
    });
    return {};
  }

  async updateUserRoutingProfile(
    input: S.UpdateUserRoutingProfileRequest,
    ctx: RequestContext,
  ): Promise<Record<string, never>> {
    await this.#change(ctx, input.InstanceId, async (tx, instance, changes) => {
      const user = await this.#d.resources.require(tx, instance, 'user', input.UserId);
      const profile = await this.#d.resources.require(
        tx,
        instance,
        'routing-profile',
        input.RoutingProfileId,
      );
      const updated = await this.#d.resources.update(tx, {
        ...user,
        body: { ...user.body, RoutingProfileId: profile.id },
      });
      await this.#d.agents.followRoutingProfile(tx, updated, changes);
    });
    return {};
  }

  async deleteUser(input: S.DeleteUserRequest, ctx: RequestContext): Promise<Record<string, never>> {
    await this.#change(ctx, input.InstanceId, async (tx, instance, changes) => {
      const found = await this.#d.resources.require(tx, instance, 'user', input.UserId);
      await this.#d.agents.retire(tx, found, changes);
      await this.#d.resources.remove(tx, found);
    });
    return {};
  }

  async dismissUserContact(
    input: S.DismissUserContactRequest,
    ctx: RequestContext,
  ): Promise<S.DismissUserContactResponse> {
    await this.#change(ctx, input.InstanceId, async (tx, instance, changes) => {
      const user = await this.#d.resources.require(tx, instance, 'user', input.UserId);
      const record = await tx.agents.get(instance.id, user.id);
      const agent = record && toAgent(record);
      const held = agent?.state.contacts.find((c) => c.contactId === input.ContactId);
      if (!agent || !held)
        throw new ResourceNotFoundException(`Contact ${input.ContactId} not found for user ${input.UserId}`);
      if (!DISMISSABLE.includes(held.state))
        throw new InvalidRequestException(
          `Contact ${input.ContactId} is ${held.state}; only a MISSED, ERROR, ENDED or REJECTED contact can be dismissed`,
        );
      await this.#d.agents.dismiss(tx, agent, held.contactId, changes);
    });
    return {};
  }

  // ------------------------------------------------------------------ routing profiles

  async associateRoutingProfileQueues(
    input: S.AssociateRoutingProfileQueuesRequest,
    ctx: RequestContext,
  ): Promise<Record<string, never>> {
    if (input.ManualAssignmentQueueConfigs?.length)
      throw new InvalidRequestException('ManualAssignmentQueueConfigs are not supported by localconnect yet');
    if (!input.QueueConfigs?.length) throw new InvalidParameterException('QueueConfigs names no queue');
    await this.#profileChange(
      ctx,
      input.InstanceId,
      input.RoutingProfileId,
      async (tx, instance, configs) => {
        const added = await this.#queueConfigs(tx, instance, input.QueueConfigs!);
        return [...configs.filter((c) => !added.some((a) => sameRef(a, c))), ...added];
      },
    );
    return {};
  }

  async disassociateRoutingProfileQueues(
    input: S.DisassociateRoutingProfileQueuesRequest,
    ctx: RequestContext,
  ): Promise<Record<string, never>> {
    if (input.ManualAssignmentQueueReferences?.length)
      throw new InvalidRequestException(
        'ManualAssignmentQueueReferences are not supported by localconnect yet',
      );
    if (!input.QueueReferences?.length) throw new InvalidParameterException('QueueReferences names no queue');
    await this.#profileChange(
      ctx,
      input.InstanceId,
      input.RoutingProfileId,
      async (tx, instance, configs) => {
        const removed = await this.#queueConfigs(
          tx,
          instance,
          input.QueueReferences!.map((r) => ({ QueueReference: r, Priority: 1, Delay: 0 })),
        );
        return configs.filter((c) => !removed.some((r) => sameRef(r, c)));
      },
    );
    return {};
  }

  async updateRoutingProfileQueues(
    input: S.UpdateRoutingProfileQueuesRequest,
    ctx: RequestContext,
  ): Promise<Record<string, never>> {
    await this.#profileChange(
      ctx,
      input.InstanceId,
      input.RoutingProfileId,
      async (tx, instance, configs) => {
        const updates = await this.#queueConfigs(tx, instance, input.QueueConfigs);
        for (const u of updates) {
          if (!configs.some((c) => sameRef(c, u)))
            throw new InvalidParameterException(
              `Queue ${u.QueueReference.QueueId} is not associated with the routing profile on ${u.QueueReference.Channel}`,
            );
        }
        return configs.map((c) => updates.find((u) => sameRef(u, c)) ?? c);
      },
    );
    return {};
  }

  async updateRoutingProfileConcurrency(
    input: S.UpdateRoutingProfileConcurrencyRequest,
    ctx: RequestContext,
  ): Promise<Record<string, never>> {
    checkConcurrencies(input.MediaConcurrencies);
    await this.#change(ctx, input.InstanceId, async (tx, instance, changes) => {
      const profile = await this.#d.resources.require(
        tx,
        instance,
        'routing-profile',
        input.RoutingProfileId,
      );
      await this.#d.resources.update(tx, {
        ...profile,
        body: { ...profile.body, MediaConcurrencies: input.MediaConcurrencies },
      });
      await this.#d.router.sweep(tx, instance.id, changes);
    });
    return {};
  }

  /** Replaces a routing profile's QueueConfigs with what `change` makes of them; routing follows. */
  async #profileChange(
    ctx: RequestContext,
    instanceId: string,
    routingProfileId: string,
    change: (tx: StoreTx, instance: InstanceRecord, configs: QueueConfig[]) => Promise<QueueConfig[]>,
  ): Promise<void> {
    await this.#change(ctx, instanceId, async (tx, instance, changes) => {
      const profile = await this.#d.resources.require(tx, instance, 'routing-profile', routingProfileId);
      const configs = (profile.body.QueueConfigs as QueueConfig[] | undefined) ?? [];
      const QueueConfigs = await change(tx, instance, configs);
      await this.#d.resources.update(tx, { ...profile, body: { ...profile.body, QueueConfigs } });
      await this.#d.router.sweep(tx, instance.id, changes);
    });
  }

  /** The request's queue configs with queue ids for ARNs, every queue checked; each queue and channel once. */
  async #queueConfigs(
    tx: StoreTx,
    instance: InstanceRecord,
    configs: S.RoutingProfileQueueConfig[],
  ): Promise<QueueConfig[]> {
    const out: QueueConfig[] = [];
    for (const c of configs) {
      const queue = await this.#d.resources.require(tx, instance, 'queue', c.QueueReference.QueueId);
      const config: QueueConfig = {
        QueueReference: { QueueId: queue.id, Channel: c.QueueReference.Channel },
        Priority: c.Priority,
        Delay: c.Delay,
      };
      if (out.some((o) => sameRef(o, config)))
        throw new InvalidParameterException(
          `Queue ${queue.id} is listed more than once for ${c.QueueReference.Channel}`,
        );
      out.push(config);
    }
    return out;
  }

  // ------------------------------------------------------------------ real-time figures

  async getCurrentUserData(
    input: S.GetCurrentUserDataRequest,
    ctx: RequestContext,
  ): Promise<S.GetCurrentUserDataResponse> {
    const f = input.Filters;
    const given = [f.Queues, f.RoutingProfiles, f.Agents, f.UserHierarchyGroups].filter((x) => x?.length);
    if (given.length !== 1)
      throw new InvalidParameterException(
        'Filters must name exactly one of Queues, RoutingProfiles, Agents and UserHierarchyGroups',
      );
    if (f.UserHierarchyGroups?.length)
      throw new InvalidParameterException('User hierarchy groups are not supported by localconnect yet');
    const start = decodeNextToken('current-user-data', input.NextToken) ?? 0;
    return inInstance(this.#d, ctx, input.InstanceId, async (tx, instance) => {
      const ids = async (kind: ResourceRecord['kind'], list: string[] | undefined) => {
        if (!list) return undefined;
        const found = new Set<string>();
        for (const id of list) found.add((await this.#d.resources.require(tx, instance, kind, id)).id);
        return found;
      };
      const all = await currentUserData(tx, instance.id, {
        queueIds: await ids('queue', f.Queues),
        routingProfileIds: await ids('routing-profile', f.RoutingProfiles),
        userIds: await ids('user', f.Agents),
        contactStates: f.ContactFilter?.ContactStates?.length
          ? new Set(f.ContactFilter.ContactStates as AgentContactState[])
          : undefined,
      });
      const end = start + (input.MaxResults ?? 100);
      return {
        UserDataList: all.slice(start, end).map((u) => ({
          User: { Id: u.user.id, Arn: u.user.arn },
          RoutingProfile: { Id: u.routingProfile.id, Arn: u.routingProfile.arn },
          Status: {
            StatusStartTimestamp: new Date(u.status.since),
            StatusArn: u.status.arn,
            StatusName: u.status.name,
          },
          AvailableSlotsByChannel: u.availableSlots,
          MaxSlotsByChannel: u.maxSlots,
          ActiveSlotsByChannel: u.activeSlots,
          Contacts: u.contacts.map((c) => ({
            ContactId: c.contactId,
            Channel: c.channel,
            InitiationMethod: c.initiationMethod as S.ContactInitiationMethod | undefined,
            AgentContactState: c.state,
            StateStartTimestamp: new Date(c.since),
            ConnectedToAgentTimestamp: c.connectedAt === undefined ? undefined : new Date(c.connectedAt),
            Queue: { Id: c.queue.id, Arn: c.queue.arn },
          })),
        })),
        NextToken: encodeNextToken('current-user-data', end < all.length ? end : undefined),
        ApproximateTotalCount: all.length,
      };
    });
  }

  async getCurrentMetricData(
    input: S.GetCurrentMetricDataRequest,
    ctx: RequestContext,
  ): Promise<S.GetCurrentMetricDataResponse> {
    const f = input.Filters;
    if (!f.Queues?.length)
      throw new InvalidParameterException('Filters.Queues is required: name at least one queue');
    for (const other of [
      'RoutingProfiles',
      'RoutingStepExpressions',
      'AgentStatuses',
      'Subtypes',
      'ValidationTestTypes',
    ] as const) {
      if (f[other]?.length)
        throw new InvalidParameterException(`Filters.${other} is not supported by localconnect yet`);
    }
    const groupings = (input.Groupings ?? []) as string[];
    for (const g of groupings) {
      if (g !== 'QUEUE' && g !== 'CHANNEL')
        throw new InvalidParameterException(`Grouping by ${g} is not supported by localconnect yet`);
    }
    if (new Set(groupings).size !== groupings.length)
      throw new InvalidParameterException('Groupings lists a grouping more than once');
    if (input.CurrentMetrics.length === 0)
      throw new InvalidParameterException('CurrentMetrics names no metric');
    const metrics: { name: CurrentMetricName; unit: S.Unit }[] = input.CurrentMetrics.map((m) => {
      if (!m.Name)
        throw new InvalidParameterException('Metrics by MetricId are not supported by localconnect yet');
      if (!isCurrentMetric(m.Name))
        throw new InvalidParameterException(`${m.Name} is not supported by localconnect yet`);
      const unit = CURRENT_METRIC_UNITS[m.Name];
      if (m.Unit && m.Unit !== unit)
        throw new InvalidParameterException(`The unit of ${m.Name} is ${unit}, not ${m.Unit}`);
      return { name: m.Name, unit };
    });
    const sort = input.SortCriteria?.[0];
    const sortBy = sort?.SortByMetric ?? 'AGENTS_ONLINE';
    if (sortBy === 'SLOTS_ACTIVE' || sortBy === 'SLOTS_AVAILABLE' || !isCurrentMetric(sortBy))
      throw new InvalidParameterException(`Sorting by ${sortBy} is not supported`);
    const descending = (sort?.SortOrder ?? 'DESCENDING') === 'DESCENDING';
    const channels = f.Channels?.length ? [...new Set(f.Channels)] : DEFAULT_METRIC_CHANNELS;
    const start = decodeNextToken('current-metric-data', input.NextToken) ?? 0;
    const now = this.#d.clock.now();
    return inInstance(this.#d, ctx, input.InstanceId, async (tx, instance) => {
      const queues = [];
      for (const id of new Set(f.Queues!.map(idFromArnOrId))) {
        const q = await this.#d.resources.require(tx, instance, 'queue', id);
        queues.push({ id: q.id, arn: q.arn });
      }
      const results = await currentMetrics(tx, instance.id, {
        queues,
        channels: channels as Channel[],
        groupings: groupings as MetricGrouping[],
        metrics: [...new Set([...metrics.map((m) => m.name), sortBy])],
        now,
      });
      const sorted = results
        .map((r, i) => ({ r, i }))
        .sort((a, b) => {
          const d = (a.r.values[sortBy] ?? 0) - (b.r.values[sortBy] ?? 0);
          return (descending ? -d : d) || a.i - b.i;
        })
        .map(({ r }) => r);
      const end = start + (input.MaxResults ?? 100);
      return {
        MetricResults: sorted.slice(start, end).map((r: MetricResult) => ({
          Dimensions: {
            ...(r.queue && { Queue: { Id: r.queue.id, Arn: r.queue.arn } }),
            ...(r.channel && { Channel: r.channel }),
          },
          Collections: metrics.map((m) => ({
            Metric: { Name: m.name, Unit: m.unit },
            Value: r.values[m.name],
          })),
        })),
        NextToken: encodeNextToken('current-metric-data', end < sorted.length ? end : undefined),
        DataSnapshotTime: new Date(now),
        ApproximateTotalCount: sorted.length,
      };
    });
  }
}

const sameRef = (a: QueueConfig, b: QueueConfig) =>
  a.QueueReference.QueueId === b.QueueReference.QueueId &&
  a.QueueReference.Channel === b.QueueReference.Channel;

/**
 * The admin operations of the Connect API: instances, hours of operation, queues, routing
 * profiles, flows, security profiles, agent statuses and users. Create/Describe/List only, as
 * the models define them; the updates that move live routing (routing profiles' queues and
 * concurrency, a user's routing profile, DeleteUser) are in routing-provider.ts, other Update
 * and Delete operations than UpdateContactFlowContent come later.
 *
 * Deviations from AWS: CreateInstance is synchronous (the instance is ACTIVE at once, with the
 * default resources a new Amazon Connect instance has); security profiles are the four
 * standard ones and cannot be created yet.
 */
import { createHash } from 'node:crypto';
import type { Store, StoreTx, InstanceRecord, ResourceRecord } from '../../ports/store.ts';
import type { RequestContext } from '../../aws/request-context.ts';
import type * as S from '../../generated/connect/shapes.ts';
import {
  InvalidContactFlowException,
  InvalidParameterException,
  InvalidRequestException,
  ThrottlingException,
} from '../../generated/connect/errors.ts';
import type { InstanceCaller, InstanceService } from '../../domain/instances/instance-service.ts';
import type { ResourceService } from '../../domain/resources/resource-service.ts';
import { seedInstance } from '../../domain/instances/instance-defaults.ts';
import { parseFlow } from '../../domain/flows/flow-document.ts';
import { HasherBusy, type PasswordHasher } from '../../ports/password-hasher.ts';

export const callerOf = (ctx: RequestContext): InstanceCaller => ({
  accountId: ctx.caller!.accountId,
  region: ctx.region,
});

/** What inInstance needs: the store and the instances. */
export interface InstanceScope {
  store: Store;
  instances: InstanceService;
}

/** Runs fn in a transaction with the instance the request names, checked against the caller. */
export function inInstance<T>(
  { store, instances }: InstanceScope,
  ctx: RequestContext,
  instanceId: string,
  fn: (tx: StoreTx, instance: InstanceRecord) => Promise<T>,
): Promise<T> {
  return store.transaction(async (tx) => fn(tx, await instances.require(tx, callerOf(ctx), instanceId)));
}

const modified = (r: ResourceRecord, region: string) => ({
  LastModifiedTime: new Date(r.updatedAt),
  LastModifiedRegion: region,
});

const summary = (r: ResourceRecord, region: string) => ({
  Id: r.id,
  Arn: r.arn,
  Name: r.name,
  ...modified(r, region),
});

function flowSha256(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

function requireValidFlow(content: string): void {
  const { problems } = parseFlow(content);
  if (problems.length > 0) {
    throw new InvalidContactFlowException(`The flow is not valid: ${problems.join('; ')}`, {
      problems: problems.map((message) => ({ message })),
    });
  }
}

export class AdminProvider {
  readonly #store: Store;
  readonly #instances: InstanceService;
  readonly #resources: ResourceService;
  readonly #passwords: PasswordHasher;
  readonly #scope: InstanceScope;

  constructor(
    store: Store,
    instances: InstanceService,
    resources: ResourceService,
    passwords: PasswordHasher,
  ) {
    this.#store = store;
    this.#instances = instances;
    this.#resources = resources;
    this.#passwords = passwords;
    this.#scope = { store, instances };
  }

  // ------------------------------------------------------------------ instances

  async createInstance(
    input: S.CreateInstanceRequest,
    ctx: RequestContext,
  ): Promise<S.CreateInstanceResponse> {
    if (!input.InstanceAlias) throw new InvalidRequestException('InstanceAlias is required');
    if (input.IdentityManagementType !== 'CONNECT_MANAGED') {
      throw new InvalidRequestException('localconnect supports IdentityManagementType CONNECT_MANAGED only');
    }
    const instance = await this.#store.transaction(async (tx) => {
      const created = await this.#instances.create(tx, callerOf(ctx), {
        alias: input.InstanceAlias!,
        identityManagementType: input.IdentityManagementType,
        inboundCallsEnabled: input.InboundCallsEnabled,
        outboundCallsEnabled: input.OutboundCallsEnabled,
        tags: input.Tags,
      });
      await seedInstance(tx, this.#resources, created);
      return created;
    });
    return { Id: instance.id, Arn: instance.arn };
  }

  async describeInstance(
    input: S.DescribeInstanceRequest,
    ctx: RequestContext,
  ): Promise<S.DescribeInstanceResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (_tx, i) => ({
      Instance: { ...instanceSummary(i), StatusReason: undefined, Tags: i.tags },
    }));
  }

  async listInstances(input: S.ListInstancesRequest, ctx: RequestContext): Promise<S.ListInstancesResponse> {
    const page = await this.#store.transaction((tx) =>
      this.#instances.list(tx, callerOf(ctx), input.NextToken, input.MaxResults ?? 10),
    );
    return { InstanceSummaryList: page.items.map(instanceSummary), NextToken: page.nextToken };
  }

  // ------------------------------------------------------------------ hours of operation

  async createHoursOfOperation(
    input: S.CreateHoursOfOperationRequest,
    ctx: RequestContext,
  ): Promise<S.CreateHoursOfOperationResponse> {
    if (input.ParentHoursOfOperationConfigs?.length) {
      throw new InvalidRequestException(
        'ParentHoursOfOperationConfigs are not supported by localconnect yet',
      );
    }
    const r = await inInstance(this.#scope, ctx, input.InstanceId, (tx, instance) =>
      this.#resources.create(tx, instance, 'hours-of-operation', input.Name, {
        Name: input.Name,
        Description: input.Description,
        TimeZone: input.TimeZone,
        Config: input.Config,
        Tags: input.Tags ?? {},
      }),
    );
    return { HoursOfOperationId: r.id, HoursOfOperationArn: r.arn };
  }

  async describeHoursOfOperation(
    input: S.DescribeHoursOfOperationRequest,
    ctx: RequestContext,
  ): Promise<S.DescribeHoursOfOperationResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'hours-of-operation', input.HoursOfOperationId);
      return {
        HoursOfOperation: {
          ...r.body,
          HoursOfOperationId: r.id,
          HoursOfOperationArn: r.arn,
          ...modified(r, instance.region),
        },
      };
    });
  }

  async listHoursOfOperations(
    input: S.ListHoursOfOperationsRequest,
    ctx: RequestContext,
  ): Promise<S.ListHoursOfOperationsResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const page = await this.#resources.list(
        tx,
        instance,
        'hours-of-operation',
        input.NextToken,
        input.MaxResults,
      );
      return {
        HoursOfOperationSummaryList: page.items.map((r) => summary(r, instance.region)),
        NextToken: page.nextToken,
      };
    });
  }

  // ------------------------------------------------------------------ queues

  async createQueue(input: S.CreateQueueRequest, ctx: RequestContext): Promise<S.CreateQueueResponse> {
    const r = await inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const hours = await this.#resources.require(
        tx,
        instance,
        'hours-of-operation',
        input.HoursOfOperationId,
      );
      return this.#resources.create(tx, instance, 'queue', input.Name, {
        Name: input.Name,
        Description: input.Description,
        HoursOfOperationId: hours.id,
        MaxContacts: input.MaxContacts,
        OutboundCallerConfig: input.OutboundCallerConfig,
        Status: 'ENABLED',
        Tags: input.Tags ?? {},
      });
    });
    return { QueueId: r.id, QueueArn: r.arn };
  }

  async describeQueue(input: S.DescribeQueueRequest, ctx: RequestContext): Promise<S.DescribeQueueResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'queue', input.QueueId);
      return { Queue: { ...r.body, QueueId: r.id, QueueArn: r.arn, ...modified(r, instance.region) } };
    });
  }

  async listQueues(input: S.ListQueuesRequest, ctx: RequestContext): Promise<S.ListQueuesResponse> {
    if (input.QueueTypes && !input.QueueTypes.includes('STANDARD')) return { QueueSummaryList: [] };
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const page = await this.#resources.list(tx, instance, 'queue', input.NextToken, input.MaxResults);
      return {
        QueueSummaryList: page.items.map((r) => ({
          ...summary(r, instance.region),
          QueueType: 'STANDARD' as const,
        })),
        NextToken: page.nextToken,
      };
    });
  }

  // ------------------------------------------------------------------ routing profiles

  async createRoutingProfile(
    input: S.CreateRoutingProfileRequest,
    ctx: RequestContext,
  ): Promise<S.CreateRoutingProfileResponse> {
    checkConcurrencies(input.MediaConcurrencies);
    const r = await inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const outbound = await this.#resources.require(tx, instance, 'queue', input.DefaultOutboundQueueId);
      const queueConfigs = [];
      for (const c of input.QueueConfigs ?? []) {
        const queue = await this.#resources.require(tx, instance, 'queue', c.QueueReference.QueueId);
        queueConfigs.push({ ...c, QueueReference: { ...c.QueueReference, QueueId: queue.id } });
      }
      return this.#resources.create(tx, instance, 'routing-profile', input.Name, {
        Name: input.Name,
        Description: input.Description,
        DefaultOutboundQueueId: outbound.id,
        MediaConcurrencies: input.MediaConcurrencies,
        QueueConfigs: queueConfigs,
        AgentAvailabilityTimer: input.AgentAvailabilityTimer,
        IsDefault: false,
        Tags: input.Tags ?? {},
      });
    });
    return { RoutingProfileId: r.id, RoutingProfileArn: r.arn };
  }

  async describeRoutingProfile(
    input: S.DescribeRoutingProfileRequest,
    ctx: RequestContext,
  ): Promise<S.DescribeRoutingProfileResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'routing-profile', input.RoutingProfileId);
      const { QueueConfigs, ...body } = r.body as { QueueConfigs: S.RoutingProfileQueueConfig[] } & Record<
        string,
        unknown
      >;
      const queueIds = [...new Set(QueueConfigs.map((c) => c.QueueReference.QueueId))];
      return {
        RoutingProfile: {
          ...body,
          InstanceId: instance.id,
          RoutingProfileId: r.id,
          RoutingProfileArn: r.arn,
          NumberOfAssociatedQueues: queueIds.length,
          AssociatedQueueIds: queueIds,
          ...modified(r, instance.region),
        },
      };
    });
  }

  async listRoutingProfiles(
    input: S.ListRoutingProfilesRequest,
    ctx: RequestContext,
  ): Promise<S.ListRoutingProfilesResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const page = await this.#resources.list(
        tx,
        instance,
        'routing-profile',
        input.NextToken,
        input.MaxResults,
      );
      return {
        RoutingProfileSummaryList: page.items.map((r) => summary(r, instance.region)),
        NextToken: page.nextToken,
      };
    });
  }

  async listRoutingProfileQueues(
    input: S.ListRoutingProfileQueuesRequest,
    ctx: RequestContext,
  ): Promise<S.ListRoutingProfileQueuesResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'routing-profile', input.RoutingProfileId);
      const configs = (r.body.QueueConfigs as S.RoutingProfileQueueConfig[]) ?? [];
      const start = input.NextToken ? Number.parseInt(input.NextToken, 10) : 0;
      if (!Number.isSafeInteger(start) || start < 0 || start > configs.length) {
        throw new InvalidParameterException('The NextToken is not valid for this request');
      }
      const end = start + (input.MaxResults ?? 100);
      const list: S.RoutingProfileQueueConfigSummary[] = [];
      for (const c of configs.slice(start, end)) {
        const queue = await this.#resources.require(tx, instance, 'queue', c.QueueReference.QueueId);
        list.push({
          QueueId: queue.id,
          QueueArn: queue.arn,
          QueueName: queue.name,
          Priority: c.Priority,
          Delay: c.Delay,
          Channel: c.QueueReference.Channel,
        });
      }
      return {
        RoutingProfileQueueConfigSummaryList: list,
        NextToken: end < configs.length ? String(end) : undefined,
        ...modified(r, instance.region),
      };
    });
  }

  // ------------------------------------------------------------------ flows

  async createContactFlow(
    input: S.CreateContactFlowRequest,
    ctx: RequestContext,
  ): Promise<S.CreateContactFlowResponse> {
    requireValidFlow(input.Content);
    const r = await inInstance(this.#scope, ctx, input.InstanceId, (tx, instance) =>
      this.#resources.create(tx, instance, 'contact-flow', input.Name, {
        Name: input.Name,
        Type: input.Type,
        State: 'ACTIVE',
        Status: input.Status ?? 'PUBLISHED',
        Description: input.Description,
        Content: input.Content,
        Tags: input.Tags ?? {},
      }),
    );
    return { ContactFlowId: r.id, ContactFlowArn: r.arn, FlowContentSha256: flowSha256(input.Content) };
  }

  async describeContactFlow(
    input: S.DescribeContactFlowRequest,
    ctx: RequestContext,
  ): Promise<S.DescribeContactFlowResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'contact-flow', input.ContactFlowId);
      return {
        ContactFlow: {
          ...r.body,
          Id: r.id,
          Arn: r.arn,
          FlowContentSha256: flowSha256(r.body.Content as string),
          ...modified(r, instance.region),
        },
      };
    });
  }

  async listContactFlows(
    input: S.ListContactFlowsRequest,
    ctx: RequestContext,
  ): Promise<S.ListContactFlowsResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const page = await this.#resources.list(
        tx,
        instance,
        'contact-flow',
        input.NextToken,
        input.MaxResults,
      );
      const wanted = input.ContactFlowTypes;
      return {
        ContactFlowSummaryList: page.items
          .filter((r) => !wanted || wanted.includes(r.body.Type as S.ContactFlowType))
          .map((r) => ({
            Id: r.id,
            Arn: r.arn,
            Name: r.name,
            ContactFlowType: r.body.Type as S.ContactFlowType,
            ContactFlowState: r.body.State as S.ContactFlowState,
            ContactFlowStatus: r.body.Status as S.ContactFlowStatus,
          })),
        NextToken: page.nextToken,
      };
    });
  }

  async updateContactFlowContent(
    input: S.UpdateContactFlowContentRequest,
    ctx: RequestContext,
  ): Promise<S.UpdateContactFlowContentResponse> {
    requireValidFlow(input.Content);
    await inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'contact-flow', input.ContactFlowId);
      await this.#resources.update(tx, { ...r, body: { ...r.body, Content: input.Content } });
    });
    return {};
  }

  // ------------------------------------------------------------------ security profiles and users

  async listSecurityProfiles(
    input: S.ListSecurityProfilesRequest,
    ctx: RequestContext,
  ): Promise<S.ListSecurityProfilesResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const page = await this.#resources.list(
        tx,
        instance,
        'security-profile',
        input.NextToken,
        input.MaxResults,
      );
      return {
        SecurityProfileSummaryList: page.items.map((r) => summary(r, instance.region)),
        NextToken: page.nextToken,
      };
    });
  }

  // ------------------------------------------------------------------ agent statuses

  /** Always a CUSTOM status: Amazon Connect creates no other kind (Available and Offline come with the instance). */
  async createAgentStatus(
    input: S.CreateAgentStatusRequest,
    ctx: RequestContext,
  ): Promise<S.CreateAgentStatusResponse> {
    const r = await inInstance(this.#scope, ctx, input.InstanceId, (tx, instance) =>
      this.#resources.create(tx, instance, 'agent-status', input.Name, {
        Name: input.Name,
        Description: input.Description,
        Type: 'CUSTOM',
        DisplayOrder: input.DisplayOrder,
        State: input.State,
        Tags: input.Tags ?? {},
      }),
    );
    return { AgentStatusId: r.id, AgentStatusARN: r.arn };
  }

  async describeAgentStatus(
    input: S.DescribeAgentStatusRequest,
    ctx: RequestContext,
  ): Promise<S.DescribeAgentStatusResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'agent-status', input.AgentStatusId);
      return {
        AgentStatus: {
          AgentStatusARN: r.arn,
          AgentStatusId: r.id,
          Name: r.name,
          Description: r.body.Description as string | undefined,
          Type: r.body.Type as S.AgentStatusType,
          DisplayOrder: r.body.DisplayOrder as number | undefined,
          State: r.body.State as S.AgentStatusState,
          Tags: (r.body.Tags as Record<string, string> | undefined) ?? {},
          ...modified(r, instance.region),
        },
      };
    });
  }

  async listAgentStatuses(
    input: S.ListAgentStatusRequest,
    ctx: RequestContext,
  ): Promise<S.ListAgentStatusResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const page = await this.#resources.list(
        tx,
        instance,
        'agent-status',
        input.NextToken,
        input.MaxResults,
      );
      const wanted = input.AgentStatusTypes?.length ? input.AgentStatusTypes : undefined;
      return {
        AgentStatusSummaryList: page.items
          .filter((r) => !wanted || wanted.includes(r.body.Type as S.AgentStatusType))
          .map((r) => ({ ...summary(r, instance.region), Type: r.body.Type as S.AgentStatusType })),
        NextToken: page.nextToken,
      };
    });
  }

  async createUser(input: S.CreateUserRequest, ctx: RequestContext): Promise<S.CreateUserResponse> {
    if (input.DirectoryUserId)
      throw new InvalidRequestException('DirectoryUserId applies only to directory-based instances');
    if (!input.Password)
      throw new InvalidParameterException('Password is required for CONNECT_MANAGED instances');
    const passwordHash = await this.#passwords.hash(input.Password).catch((err: unknown) => {
      throw err instanceof HasherBusy ? new ThrottlingException('Rate exceeded') : err;
    });
    const r = await inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const profile = await this.#resources.require(tx, instance, 'routing-profile', input.RoutingProfileId);
      const securityProfileIds = [];
      for (const id of input.SecurityProfileIds) {
        securityProfileIds.push((await this.#resources.require(tx, instance, 'security-profile', id)).id);
      }
      return this.#resources.create(tx, instance, 'user', input.Username, {
        Username: input.Username,
        IdentityInfo: input.IdentityInfo,
        PhoneConfig: input.PhoneConfig ?? {
          PhoneType: 'SOFT_PHONE',
          AutoAccept: false,
          AfterContactWorkTimeLimit: 0,
        },
        SecurityProfileIds: securityProfileIds,
        RoutingProfileId: profile.id,
        HierarchyGroupId: input.HierarchyGroupId,
        Tags: input.Tags ?? {},
        passwordHash,
      });
    });
    return { UserId: r.id, UserArn: r.arn };
  }

  async describeUser(input: S.DescribeUserRequest, ctx: RequestContext): Promise<S.DescribeUserResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const r = await this.#resources.require(tx, instance, 'user', input.UserId);
      const { passwordHash: _secret, ...body } = r.body;
      return { User: { ...body, Id: r.id, Arn: r.arn, ...modified(r, instance.region) } };
    });
  }

  async listUsers(input: S.ListUsersRequest, ctx: RequestContext): Promise<S.ListUsersResponse> {
    return inInstance(this.#scope, ctx, input.InstanceId, async (tx, instance) => {
      const page = await this.#resources.list(tx, instance, 'user', input.NextToken, input.MaxResults);
      return {
        UserSummaryList: page.items.map((r) => ({
          Id: r.id,
          Arn: r.arn,
          Username: r.name,
          ...modified(r, instance.region),
        })),
        NextToken: page.nextToken,
      };
    });
  }
}

/** A routing profile's MediaConcurrencies: each channel once, VOICE at most 1, others at most 10. */
export function checkConcurrencies(concurrencies: S.MediaConcurrency[]): void {
  const channels = concurrencies.map((m) => m.Channel);
  if (new Set(channels).size !== channels.length) {
    throw new InvalidParameterException('MediaConcurrencies lists a channel more than once');
  }
  for (const m of concurrencies) {
    const max = m.Channel === 'VOICE' ? 1 : 10;
    if (m.Concurrency > max)
      throw new InvalidParameterException(`${m.Channel} concurrency is at most ${max}`);
  }
}

function instanceSummary(i: InstanceRecord): S.InstanceSummary {
  return {
    Id: i.id,
    Arn: i.arn,
    IdentityManagementType: i.identityManagementType as S.DirectoryType,
    InstanceAlias: i.alias,
    CreatedTime: new Date(i.createdAt),
    InstanceStatus: i.status as S.InstanceStatus,
    InboundCallsEnabled: i.inboundCallsEnabled,
    OutboundCallsEnabled: i.outboundCallsEnabled,
  };
}

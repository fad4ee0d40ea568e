/**
 * The Connect API of localconnect: request shapes in, domain calls, response shapes out.
 * Contact operations are here; admin operations are in admin-provider.ts, those that move or
 * read live routing in routing-provider.ts, instance storage configs in storage-provider.ts.
 *
 * Deviations from AWS (each also in the README):
 * - A StartChatContact ClientToken reused with different parameters answers
 *   IdempotencyException (409); AWS documents the token but not this case.
 * - PersistentChat and ParticipantConfiguration.ResponseMode INCREMENTAL are refused with
 *   InvalidRequestException until chat rehydration and streamed bot replies exist.
 * - StopContact on a contact that is not active answers ContactNotFoundException (410).
 * - StartContactStreaming: every item is streamed with MessageVisibility ALL; DescribeContact
 *   cannot show a contact's streams (the model's Contact has no member for them).
 * - StartWebRTCContact answers with a meeting on this node whose media connects, but nothing
 *   is forwarded yet: the call's flow never starts, and the call ends (EXPIRED) five minutes
 *   after it started.
 */
import type { ConnectApi } from '../../generated/connect/api.ts';
import type * as S from '../../generated/connect/shapes.ts';
import type { RequestContext } from '../../aws/request-context.ts';
import type { ContactRecord } from '../../ports/store.ts';
import type { ContactService } from '../../domain/contacts/contact-service.ts';
import type { WebCalls } from '../../domain/calls/web-calls.ts';
import { AdminProvider, callerOf } from './admin-provider.ts';
import { RoutingProvider, type RoutingProviderDeps } from './routing-provider.ts';
import { StorageProvider } from './storage-provider.ts';

export class ConnectProvider implements ConnectApi {
  readonly #contacts: ContactService;
  readonly #calls: WebCalls;
  readonly #admin: AdminProvider;
  readonly #routing: RoutingProvider;
  readonly #storage: StorageProvider;

  /**
   * `routing`: what the operations on live routing need (routing-provider.ts); the storage
   * config operations need a part of it.
   */
  constructor(contacts: ContactService, calls: WebCalls, admin: AdminProvider, routing: RoutingProviderDeps) {
    this.#contacts = contacts;
    this.#calls = calls;
    this.#admin = admin;
    this.#routing = new RoutingProvider(routing);
    this.#storage = new StorageProvider(routing);
  }

  startChatContact(
    input: S.StartChatContactRequest,
    ctx: RequestContext,
  ): Promise<S.StartChatContactResponse> {
    return this.#contacts.startChat(callerOf(ctx), input);
  }

  startWebRTCContact(
    input: S.StartWebRTCContactRequest,
    ctx: RequestContext,
  ): Promise<S.StartWebRTCContactResponse> {
    return this.#calls.start(callerOf(ctx), input);
  }

  listContactReferences(
    input: S.ListContactReferencesRequest,
    ctx: RequestContext,
  ): Promise<S.ListContactReferencesResponse> {
    return this.#calls.listReferences(callerOf(ctx), input);
  }

  createParticipant(
    input: S.CreateParticipantRequest,
    ctx: RequestContext,
  ): Promise<S.CreateParticipantResponse> {
    return this.#contacts.createParticipant(callerOf(ctx), input);
  }

  async describeContact(
    input: S.DescribeContactRequest,
    ctx: RequestContext,
  ): Promise<S.DescribeContactResponse> {
    const contact = await this.#contacts.describe(callerOf(ctx), input.InstanceId, input.ContactId);
    return { Contact: describeContactShape(contact) };
  }

  async stopContact(input: S.StopContactRequest, ctx: RequestContext): Promise<S.StopContactResponse> {
    await this.#contacts.stop(callerOf(ctx), input.InstanceId, input.ContactId, input.DisconnectReason?.Code);
    return {};
  }

  startContactStreaming(
    input: S.StartContactStreamingRequest,
    ctx: RequestContext,
  ): Promise<S.StartContactStreamingResponse> {
    return this.#contacts.startStreaming(callerOf(ctx), input);
  }

  async stopContactStreaming(
    input: S.StopContactStreamingRequest,
    ctx: RequestContext,
  ): Promise<S.StopContactStreamingResponse> {
    await this.#contacts.stopStreaming(callerOf(ctx), input);
    return {};
  }

  async getContactAttributes(
    input: S.GetContactAttributesRequest,
    ctx: RequestContext,
  ): Promise<S.GetContactAttributesResponse> {
    return {
      Attributes: await this.#contacts.getAttributes(callerOf(ctx), input.InstanceId, input.InitialContactId),
    };
  }

  async updateContactAttributes(
    input: S.UpdateContactAttributesRequest,
    ctx: RequestContext,
  ): Promise<S.UpdateContactAttributesResponse> {
    await this.#contacts.updateAttributes(
      callerOf(ctx),
      input.InstanceId,
      input.InitialContactId,
      input.Attributes,
    );
    return {};
  }

  createInstance = (i: S.CreateInstanceRequest, c: RequestContext) => this.#admin.createInstance(i, c);
  describeInstance = (i: S.DescribeInstanceRequest, c: RequestContext) => this.#admin.describeInstance(i, c);
  listInstances = (i: S.ListInstancesRequest, c: RequestContext) => this.#admin.listInstances(i, c);
  createHoursOfOperation = (i: S.CreateHoursOfOperationRequest, c: RequestContext) =>
    this.#admin.createHoursOfOperation(i, c);
  describeHoursOfOperation = (i: S.DescribeHoursOfOperationRequest, c: RequestContext) =>
    this.#admin.describeHoursOfOperation(i, c);
  listHoursOfOperations = (i: S.ListHoursOfOperationsRequest, c: RequestContext) =>
    this.#admin.listHoursOfOperations(i, c);
  createQueue = (i: S.CreateQueueRequest, c: RequestContext) => this.#admin.createQueue(i, c);
  describeQueue = (i: S.DescribeQueueRequest, c: RequestContext) => this.#admin.describeQueue(i, c);
  listQueues = (i: S.ListQueuesRequest, c: RequestContext) => this.#admin.listQueues(i, c);
  createRoutingProfile = (i: S.CreateRoutingProfileRequest, c: RequestContext) =>
    this.#admin.createRoutingProfile(i, c);
  describeRoutingProfile = (i: S.DescribeRoutingProfileRequest, c: RequestContext) =>
    this.#admin.describeRoutingProfile(i, c);
  listRoutingProfiles = (i: S.ListRoutingProfilesRequest, c: RequestContext) =>
    this.#admin.listRoutingProfiles(i, c);
  listRoutingProfileQueues = (i: S.ListRoutingProfileQueuesRequest, c: RequestContext) =>
    this.#admin.listRoutingProfileQueues(i, c);
  createContactFlow = (i: S.CreateContactFlowRequest, c: RequestContext) =>
    this.#admin.createContactFlow(i, c);
  describeContactFlow = (i: S.DescribeContactFlowRequest, c: RequestContext) =>
    this.#admin.describeContactFlow(i, c);
  listContactFlows = (i: S.ListContactFlowsRequest, c: RequestContext) => this.#admin.listContactFlows(i, c);
  updateContactFlowContent = (i: S.UpdateContactFlowContentRequest, c: RequestContext) =>
    this.#admin.updateContactFlowContent(i, c);
  listSecurityProfiles = (i: S.ListSecurityProfilesRequest, c: RequestContext) =>
    this.#admin.listSecurityProfiles(i, c);
  createUser = (i: S.CreateUserRequest, c: RequestContext) => this.#admin.createUser(i, c);
  describeUser = (i: S.DescribeUserRequest, c: RequestContext) => this.#admin.describeUser(i, c);
  listUsers = (i: S.ListUsersRequest, c: RequestContext) => this.#admin.listUsers(i, c);
  createAgentStatus = (i: S.CreateAgentStatusRequest, c: RequestContext) =>
    this.#admin.createAgentStatus(i, c);
  describeAgentStatus = (i: S.DescribeAgentStatusRequest, c: RequestContext) =>
    this.#admin.describeAgentStatus(i, c);
  listAgentStatuses = (i: S.ListAgentStatusRequest, c: RequestContext) => this.#admin.listAgentStatuses(i, c);
  putUserStatus = (i: S.PutUserStatusRequest, c: RequestContext) => this.#routing.putUserStatus(i, c);
  updateUserRoutingProfile = (i: S.UpdateUserRoutingProfileRequest, c: RequestContext) =>
    this.#routing.updateUserRoutingProfile(i, c);
  deleteUser = (i: S.DeleteUserRequest, c: RequestContext) => this.#routing.deleteUser(i, c);
  dismissUserContact = (i: S.DismissUserContactRequest, c: RequestContext) =>
    this.#routing.dismissUserContact(i, c);
  associateRoutingProfileQueues = (i: S.AssociateRoutingProfileQueuesRequest, c: RequestContext) =>
    this.#routing.associateRoutingProfileQueues(i, c);
  disassociateRoutingProfileQueues = (i: S.DisassociateRoutingProfileQueuesRequest, c: RequestContext) =>
    this.#routing.disassociateRoutingProfileQueues(i, c);
  updateRoutingProfileQueues = (i: S.UpdateRoutingProfileQueuesRequest, c: RequestContext) =>
    this.#routing.updateRoutingProfileQueues(i, c);
  updateRoutingProfileConcurrency = (i: S.UpdateRoutingProfileConcurrencyRequest, c: RequestContext) =>
    this.#routing.updateRoutingProfileConcurrency(i, c);
  getCurrentUserData = (i: S.GetCurrentUserDataRequest, c: RequestContext) =>
    this.#routing.getCurrentUserData(i, c);
  getCurrentMetricData = (i: S.GetCurrentMetricDataRequest, c: RequestContext) =>
    this.#routing.getCurrentMetricData(i, c);
  associateInstanceStorageConfig = (i: S.AssociateInstanceStorageConfigRequest, c: RequestContext) =>
    this.#storage.associateInstanceStorageConfig(i, c);
  describeInstanceStorageConfig = (i: S.DescribeInstanceStorageConfigRequest, c: RequestContext) =>
    this.#storage.describeInstanceStorageConfig(i, c);
  listInstanceStorageConfigs = (i: S.ListInstanceStorageConfigsRequest, c: RequestContext) =>
    this.#storage.listInstanceStorageConfigs(i, c);
  updateInstanceStorageConfig = (i: S.UpdateInstanceStorageConfigRequest, c: RequestContext) =>
    this.#storage.updateInstanceStorageConfig(i, c);
  disassociateInstanceStorageConfig = (i: S.DisassociateInstanceStorageConfigRequest, c: RequestContext) =>
    this.#storage.disassociateInstanceStorageConfig(i, c);
}

function describeContactShape(c: ContactRecord): S.Contact {
  const d = c.details;
  const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  const agent = d.agentInfo;
  return {
    Arn: c.arn,
    Id: c.id,
    InitialContactId: c.initialContactId,
    PreviousContactId: c.previousContactId,
    RelatedContactId: c.relatedContactId,
    InitiationMethod: c.initiationMethod as S.ContactInitiationMethod,
    Channel: c.channel,
    QueueInfo: d.queueInfo && {
      Id: d.queueInfo.Id,
      EnqueueTimestamp: new Date(d.queueInfo.EnqueueTimestamp),
    },
    AgentInfo: agent && {
      Id: agent.Id,
      AcceptedByAgentTimestamp: date(agent.AcceptedByAgentTimestamp),
      ConnectedToAgentTimestamp: date(agent.ConnectedToAgentTimestamp),
      AfterContactWorkStartTimestamp: date(agent.AfterContactWorkStartTimestamp),
      AfterContactWorkEndTimestamp: date(agent.AfterContactWorkEndTimestamp),
      AfterContactWorkDuration:
        agent.AfterContactWorkEndTimestamp !== undefined && agent.AfterContactWorkStartTimestamp !== undefined
          ? Math.round((agent.AfterContactWorkEndTimestamp - agent.AfterContactWorkStartTimestamp) / 1000)
          : undefined,
    },
    InitiationTimestamp: new Date(c.initiationTimestamp),
    LastUpdateTimestamp: new Date(c.lastUpdateTimestamp),
    DisconnectTimestamp: c.disconnectTimestamp === undefined ? undefined : new Date(c.disconnectTimestamp),
    DisconnectReason: c.disconnectReason,
    Description: d.description,
    CustomerId: d.customerId,
    SegmentAttributes: d.segmentAttributes,
    Attributes: c.attributes,
  };
}

/**
 * Contacts: starting a chat, and the operations every contact shares (describe, stop,
 * attributes). Each operation is one store transaction, so what a caller is told has
 * happened has been committed.
 */
import type { Clock } from '../../ports/clock.ts';
import type { IdGenerator } from '../../ports/ids.ts';
import { topics, type EventBus } from '../../ports/event-bus.ts';
import type { ContactRecord, ParticipantRecord, Store, StoreTx } from '../../ports/store.ts';
import type {
  CreateParticipantRequest,
  CreateParticipantResponse,
  StartChatContactRequest,
  StartChatContactResponse,
  StartContactStreamingRequest,
  StartContactStreamingResponse,
  StopContactStreamingRequest,
} from '../../generated/connect/shapes.ts';
import {
  ContactNotFoundException,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
} from '../../generated/connect/errors.ts';
import type { InstanceCaller, InstanceService } from '../instances/instance-service.ts';
import type { ResourceService } from '../resources/resource-service.ts';
import { DEFAULT_SUPPORTED_TYPES, messageProblem, supportedTypesProblem } from '../chat/content-types.ts';
import { checkAttributes, mergeAttributes } from './attributes.ts';
import { issueToken } from '../participant-token.ts';
import { claimOnce } from '../idempotency.ts';
import { ACTIVE_CHATS, type ChatService } from '../chat/chat-service.ts';
import type { ChatItems } from '../chat/chat-items.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import type { ContactLifecycle } from './contact-lifecycle.ts';
import { requireContact, type InboundFlows } from './contact-lookups.ts';
import { contentTypes } from '../chat/chat-item.ts';
import { snsTopicProblem, streamingIdFor, type ChatStreams } from '../streaming/chat-streams.ts';

export const DEFAULT_CHAT_DURATION_MINUTES = 1500;

export interface ContactLimits {
  /** Concurrent active chats per instance; waiting chats count. */
  activeChatsPerInstance: number;
}

export interface ContactServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  instances: InstanceService;
  resources: ResourceService;
  inboundFlows: InboundFlows;
  chats: ChatService;
  streams: ChatStreams;
  /** Where the agent in a chat learns that its streams changed (the workspace shows them). */
  bus: EventBus;
  limits: ContactLimits;
  /** The items a chat starts with (the customer's joining, an InitialMessage, a bot's joining). */
  items: ChatItems;
  /** How StopContact ends a contact. */
  lifecycle: ContactLifecycle;
  /** Runs a new chat's flow up to its first wait, inside the transaction that creates it. */
  flows: Pick<FlowRunner, 'startIn'>;
}

export class ContactService {
  readonly #d: ContactServiceDeps;

  constructor(deps: ContactServiceDeps) {
    this.#d = deps;
  }

  async startChat(caller: InstanceCaller, req: StartChatContactRequest): Promise<StartChatContactResponse> {
    const supported = req.SupportedMessagingContentTypes ?? DEFAULT_SUPPORTED_TYPES;
    checkStartChat(req, supported);
    const { store, clock, ids, limits, chats, items } = this.#d;
    return store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, req.InstanceId);
      const flow = await this.#d.inboundFlows.require(tx, instance, req.ContactFlowId);
      if (req.RelatedContactId) await requireContact(tx, instance, req.RelatedContactId);
      if (req.PersistentChat) {
        await requireContact(tx, instance, req.PersistentChat.SourceContactId!);
        throw new InvalidRequestException(
          'PersistentChat is not supported by localconnect yet: a chat cannot rehydrate a past transcript',
        );
      }

      const now = clock.now();
      const contactId = ids.uuid();
      const customerId = ids.uuid();
      const token = issueToken(ids, customerId);
      const response: StartChatContactResponse = {
        ContactId: contactId,
        ParticipantId: customerId,
        ParticipantToken: token.token,
      };
      // Claimed with this response; if anything below refuses the chat, the claim rolls back with it.
      const first = await claimOnce(tx, `StartChatContact/${instance.id}`, req, response, now);
      if (first) return first;
      if (
        (await tx.counters.add(instance.id, ACTIVE_CHATS, 1, limits.activeChatsPerInstance)) === undefined
      ) {
        throw new LimitExceededException(
          `The instance has reached its quota of ${limits.activeChatsPerInstance} concurrent active chats`,
        );
      }

      const duration = req.ChatDurationInMinutes ?? DEFAULT_CHAT_DURATION_MINUTES;
      const { contact, customer } = await this.#d.lifecycle.start(tx, instance, {
        id: contactId,
        channel: 'CHAT',
        initiationMethod: 'API',
        flowId: flow.id,
        relatedContactId: req.RelatedContactId,
        expiresAt: now + duration * 60_000,
        attributes: req.Attributes ?? {},
        details: withoutUndefined({
          chatDurationInMinutes: duration,
          supportedMessagingContentTypes: supported,
          initialMessage: req.InitialMessage,
          customerId: req.CustomerId,
          segmentAttributes: req.SegmentAttributes,
          participantConfiguration: req.ParticipantConfiguration,
          disconnectOnCustomerExit: req.DisconnectOnCustomerExit,
        }),
        customer: {
          id: customerId,
          displayName: req.ParticipantDetails.DisplayName,
          tokenDigest: token.digest,
        },
      });
      await chats.expireAt(tx, contact);
      // The customer has joined; an InitialMessage is the chat's first message, from the customer.
      await items.append(tx, contact, { type: 'EVENT', contentType: contentTypes.joined, from: customer });
      if (req.InitialMessage) {
        await items.append(tx, contact, {
          type: 'MESSAGE',
          contentType: req.InitialMessage.ContentType,
          content: req.InitialMessage.Content,
          from: customer,
        });
      }
      await this.#d.flows.startIn(tx, contact);
      return response;
    });
  }

  /**
   * Adds a CUSTOM_BOT participant to an active chat (CreateParticipant): it joins like anyone
   * else and talks through the Participant Service with the token it gets.
   */
  async createParticipant(
    caller: InstanceCaller,
    req: CreateParticipantRequest,
  ): Promise<CreateParticipantResponse> {
    const role = req.ParticipantDetails.ParticipantRole ?? 'CUSTOM_BOT';
    if (role !== 'CUSTOM_BOT') {
      throw new InvalidRequestException(
        `ParticipantRole ${role} cannot be added with CreateParticipant; only CUSTOM_BOT`,
      );
    }
    if (req.ParticipantDetails.ParticipantCapabilities) {
      throw new InvalidRequestException('ParticipantCapabilities apply to web calls, not to chats');
    }
    const { store, clock, ids, items } = this.#d;
    return store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, req.InstanceId);
      const contact = await requireContact(tx, instance, req.ContactId);
      if (contact.channel !== 'CHAT' || contact.state !== 'ACTIVE') {
        throw new InvalidRequestException(`Contact ${req.ContactId} is not an active chat`);
      }
      const now = clock.now();
      const id = ids.uuid();
      const token = issueToken(ids, id);
      const response: CreateParticipantResponse = {
        ParticipantId: id,
        ParticipantCredentials: {
          ParticipantToken: token.token,
          Expiry: new Date(contact.expiresAt ?? now).toISOString(),
        },
      };
      const first = await claimOnce(tx, `CreateParticipant/${contact.id}`, req, response, now);
      if (first) return first;
      const bot: ParticipantRecord = {
        id,
        instanceId: instance.id,
        contactId: contact.id,
        role: 'CUSTOM_BOT',
        displayName: req.ParticipantDetails.DisplayName ?? 'BOT',
        tokenDigest: token.digest,
        createdAt: now,
      };
      await tx.participants.insert(bot);
      await items.append(tx, contact, { type: 'EVENT', contentType: contentTypes.joined, from: bot });
      return response;
    });
  }

  /**
   * Streams an active chat's items to a standard SNS topic from now on (StartContactStreaming);
   * a topic it already streams to keeps its StreamingId.
   */
  async startStreaming(
    caller: InstanceCaller,
    req: StartContactStreamingRequest,
  ): Promise<StartContactStreamingResponse> {
    const { store, clock, streams } = this.#d;
    const arn = req.ChatStreamingConfiguration.StreamingEndpointArn;
    return store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, req.InstanceId);
      const problem = snsTopicProblem(arn, instance.region);
      if (problem) throw new InvalidParameterException(problem);
      const contact = await requireContact(tx, instance, req.ContactId);
      const now = clock.now();
      const response = { StreamingId: streamingIdFor(contact.id, arn) };
      // A repeat answers what the first did, whatever happened to the chat since.
      const first = await claimOnce(tx, `StartContactStreaming/${contact.id}`, req, response, now);
      if (first) return first;
      if (contact.channel !== 'CHAT' || contact.state !== 'ACTIVE') {
        throw new InvalidRequestException(`Contact ${req.ContactId} is not an active chat`);
      }
      const started = streams.start(contact, arn);
      if (started.contact !== contact) {
        await tx.contacts.update({ ...started.contact, lastUpdateTimestamp: now });
        this.#agentSees(tx, contact);
      }
      return response;
    });
  }

  /** Stops one of a chat's streams (StopContactStreaming). */
  async stopStreaming(caller: InstanceCaller, req: StopContactStreamingRequest): Promise<void> {
    await this.#d.store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, req.InstanceId);
      const contact = await requireContact(tx, instance, req.ContactId);
      const stopped = this.#d.streams.stop(contact, req.StreamingId);
      await tx.contacts.update({ ...stopped, lastUpdateTimestamp: this.#d.clock.now() });
      this.#agentSees(tx, contact);
    });
  }

  /** Once tx commits, the workspace of the agent in the chat (if one accepted it) is pushed its new state. */
  #agentSees(tx: StoreTx, contact: ContactRecord): void {
    const agentId = contact.details.agentInfo?.Id;
    if (agentId) tx.onCommit(() => this.#d.bus.publish(topics.agent(contact.instanceId, agentId), {}));
  }

  async describe(caller: InstanceCaller, instanceId: string, contactId: string): Promise<ContactRecord> {
    return this.#d.store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, instanceId);
      return requireContact(tx, instance, contactId);
    });
  }

  /** Ends an active contact for the StopContact API. */
  async stop(
    caller: InstanceCaller,
    instanceId: string,
    contactId: string,
    reasonCode?: string,
  ): Promise<void> {
    if (reasonCode !== undefined) {
      throw new InvalidRequestException('DisconnectReason applies only to outbound campaign voice contacts');
    }
    await this.#d.store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, instanceId);
      const contact = await tx.contacts.get(instance.id, contactId);
      if (!contact || contact.state !== 'ACTIVE') {
        throw new ContactNotFoundException(`Contact ${contactId} is not active or does not exist`);
      }
      await this.#d.lifecycle.end(tx, contact, 'API');
    });
  }

  async getAttributes(
    caller: InstanceCaller,
    instanceId: string,
    initialContactId: string,
  ): Promise<Record<string, string>> {
    const contact = await this.describe(caller, instanceId, initialContactId);
    return contact.attributes;
  }

  /** Merges into the contact's attributes; works on ended contacts too, as on AWS. */
  async updateAttributes(
    caller: InstanceCaller,
    instanceId: string,
    initialContactId: string,
    update: Record<string, string>,
  ): Promise<void> {
    checkAttributes(update);
    await this.#d.store.transaction(async (tx) => {
      const instance = await this.#d.instances.require(tx, caller, instanceId);
      const contact = await requireContact(tx, instance, initialContactId);
      const attributes = mergeAttributes(contact.attributes, update);
      checkAttributes(attributes);
      await tx.contacts.update({ ...contact, attributes, lastUpdateTimestamp: this.#d.clock.now() });
    });
  }

  /**
   * The flow a chat starts in. Flows are never deleted and never change type, so a node keeps
   * what it learned instead of reading the flow on every start; deleting flows must end that.
   */
}

/** The rules of StartChatContact that the model's constraints cannot express. */
function checkStartChat(req: StartChatContactRequest, supported: string[]): void {
  if (req.Attributes) checkAttributes(req.Attributes);
  const typesProblem = req.SupportedMessagingContentTypes && supportedTypesProblem(supported);
  if (typesProblem) throw new InvalidParameterException(typesProblem);
  if (req.InitialMessage) {
    const problem = messageProblem(req.InitialMessage.ContentType, req.InitialMessage.Content, supported);
    if (problem) throw new InvalidParameterException(`InitialMessage: ${problem}`);
  }
  if (req.PersistentChat && req.RelatedContactId) {
    throw new InvalidRequestException('PersistentChat and RelatedContactId cannot be used together');
  }
  if (req.PersistentChat && (!req.PersistentChat.SourceContactId || !req.PersistentChat.RehydrationType)) {
    throw new InvalidParameterException('PersistentChat needs both RehydrationType and SourceContactId');
  }
  if (req.ParticipantConfiguration?.ResponseMode === 'INCREMENTAL') {
    throw new InvalidRequestException(
      'ParticipantConfiguration.ResponseMode INCREMENTAL is not supported by localconnect yet (no streamed bot responses)',
    );
  }
}

function withoutUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

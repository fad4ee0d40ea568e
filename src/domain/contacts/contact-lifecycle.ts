/**
 * The channel-neutral part of a contact's life, each step inside the caller's transaction:
 * started (the contact and its customer written, its start logged once it commits), handed to
 * routing (a flow's queue), connected to the agent who accepted it (their participant
 * and token, DescribeContact's AgentInfo, then the channel's joining), and ended: the leaving
 * participant's own word (their channel's), routing lets go of the contact (its agent's slot, its
 * queue), the channel's last word, every participant marked gone, the record ENDED with its
 * reason, then what the channel keeps or releases. A chat is one channel (ChatLifecycle); a
 * call will be another, through the same steps.
 */
import type { Log } from '../../ports/log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { IdGenerator } from '../../ports/ids.ts';
import type {
  Channel,
  ContactRecord,
  InstanceRecord,
  ParticipantRecord,
  StoreTx,
} from '../../ports/store.ts';
import { resourceArn } from '../arn.ts';
import type { ContactDetails } from './contact-details.ts';
import { issueToken } from '../participant-token.ts';
import { changesAnnouncedOnCommit, type Router } from '../routing/router.ts';

/** What a channel does at the steps of its contacts' lives, each inside the step's transaction. */
export interface ChannelLifecycle {
  /** The contact waits in a queue for an agent (a call's customer hears hold audio). */
  queued(tx: StoreTx, contact: ContactRecord): Promise<void>;
  /** The agent's participant has joined: the channel lets the others know (a chat's participant.joined). */
  agentJoined(tx: StoreTx, contact: ContactRecord, agent: ParticipantRecord): Promise<void>;
  /** Before routing lets go: the leaving participant's own leaving, as the others see it. */
  leaving(tx: StoreTx, contact: ContactRecord, leaving: ParticipantRecord, revoked: boolean): Promise<void>;
  /** After routing has let go, before the record is ENDED: the channel's last word. */
  closing(tx: StoreTx, contact: ContactRecord): Promise<void>;
  /** With the record ENDED: what the channel keeps (a transcript) or releases (a quota, a timer). */
  closed(tx: StoreTx, ended: ContactRecord): Promise<void>;
}

export interface ContactLifecycleDeps {
  clock: Clock;
  ids: IdGenerator;
  log: Log;
  bus: EventBus;
  router: Router;
  channels: Partial<Record<Channel, ChannelLifecycle>>;
}

/** What a new contact is started with; the rest of its record follows from the instance and the time. */
export interface NewContact {
  id: string;
  channel: Channel;
  initiationMethod: string;
  flowId: string;
  relatedContactId?: string;
  attributes: Record<string, string>;
  details: ContactDetails;
  expiresAt?: number;
  /** Its customer participant, with the digest of the ParticipantToken it was issued. */
  customer: { id: string; displayName: string; tokenDigest: string };
}

export interface EndOptions {
  /** Who left, and so ended it (their leaving is the first item of the end). */
  leaving?: ParticipantRecord;
  /**
   * The leaving participant's right to the contact ended before the contact did (their session
   * ended), so their own leaving is the last their sockets get.
   */
  revoked?: boolean;
}

export class ContactLifecycle {
  readonly #d: ContactLifecycleDeps;

  constructor(deps: ContactLifecycleDeps) {
    this.#d = deps;
  }

  /** Writes a new, active contact and its customer; its start is logged once the transaction commits. */
  async start(
    tx: StoreTx,
    instance: InstanceRecord,
    c: NewContact,
  ): Promise<{ contact: ContactRecord; customer: ParticipantRecord }> {
    const now = this.#d.clock.now();
    const contact: ContactRecord = {
      id: c.id,
      arn: resourceArn(
        { region: instance.region, accountId: instance.accountId, instanceId: instance.id },
        'contact',
        c.id,
      ),
      instanceId: instance.id,
      initialContactId: c.id,
      ...(c.relatedContactId !== undefined && { relatedContactId: c.relatedContactId }),
      channel: c.channel,
      initiationMethod: c.initiationMethod,
      state: 'ACTIVE',
      flowId: c.flowId,
      initiationTimestamp: now,
      lastUpdateTimestamp: now,
      ...(c.expiresAt !== undefined && { expiresAt: c.expiresAt }),
      attributes: c.attributes,
      details: c.details,
    };
    const customer: ParticipantRecord = {
      id: c.customer.id,
      instanceId: instance.id,
      contactId: c.id,
      role: 'CUSTOMER',
      displayName: c.customer.displayName,
      tokenDigest: c.customer.tokenDigest,
      createdAt: now,
    };
    await tx.contacts.insert(contact);
    await tx.participants.insert(customer);
    tx.onCommit(() =>
      this.#d.log.info(
        { contactId: c.id, instanceId: instance.id, channel: c.channel, flowId: c.flowId },
        'contact started',
      ),
    );
    return { contact, customer };
  }

  /** Puts the contact in a queue for routing (a flow's TransferContactToQueue), inside its transaction. */
  async enqueue(tx: StoreTx, contact: ContactRecord, queueId: string): Promise<void> {
    const { router, bus, log } = this.#d;
    await router.enqueue(tx, contact, queueId, changesAnnouncedOnCommit(tx, bus, log));
    await this.#channel(contact).queued(tx, contact);
  }

  /**
   * Connects the agent (a user) who accepted the contact: their AGENT participant, with a new
   * token, and the contact's AgentInfo; the channel lets the others know. Returns the
   * participant and its token (the agent connects with it as any participant does).
   */
  async connectAgent(
    tx: StoreTx,
    contact: ContactRecord,
    agent: { userId: string; displayName: string },
  ): Promise<{ participant: ParticipantRecord; token: string }> {
    const channel = this.#channel(contact);
    const now = this.#d.clock.now();
    const participantId = this.#d.ids.uuid();
    const issued = issueToken(this.#d.ids, participantId);
    const participant: ParticipantRecord = {
      id: participantId,
      instanceId: contact.instanceId,
      contactId: contact.id,
      role: 'AGENT',
      displayName: agent.displayName,
      tokenDigest: issued.digest,
      createdAt: now,
    };
    await tx.participants.insert(participant);
    await tx.contacts.update({
      ...contact,
      lastUpdateTimestamp: now,
      details: {
        ...contact.details,
        agentInfo: {
          Id: agent.userId,
          ParticipantId: participantId,
          AcceptedByAgentTimestamp: now,
          ConnectedToAgentTimestamp: now,
        },
      },
    });
    await channel.agentJoined(tx, contact, participant);
    return { participant, token: issued.token };
  }

  /** Ends an active contact with its reason (see the module's comment), inside the caller's transaction. */
  async end(tx: StoreTx, contact: ContactRecord, reason: string, o: EndOptions = {}): Promise<void> {
    const { clock, log, bus, router } = this.#d;
    const channel = this.#channel(contact);
    const now = clock.now();
    if (o.leaving) await channel.leaving(tx, contact, o.leaving, o.revoked ?? false);
    tx.onCommit(() =>
      log.info(
        { contactId: contact.id, instanceId: contact.instanceId, channel: contact.channel, reason },
        'contact ended',
      ),
    );
    await router.contactEnded(tx, contact, changesAnnouncedOnCommit(tx, bus, log));
    await channel.closing(tx, contact);
    for (const p of await tx.participants.listByContact(contact.id)) {
      if (p.leftAt === undefined) await tx.participants.update({ ...p, leftAt: now });
    }
    const ended: ContactRecord = {
      ...contact,
      state: 'ENDED',
      disconnectTimestamp: now,
      disconnectReason: reason,
      lastUpdateTimestamp: now,
      expiresAt: undefined,
      streams: undefined,
    };
    await tx.contacts.update(ended);
    await channel.closed(tx, ended);
  }

  #channel(contact: ContactRecord): ChannelLifecycle {
    const channel = this.#d.channels[contact.channel];
    if (!channel) throw new Error(`no ${contact.channel} contacts are served here`);
    return channel;
  }
}

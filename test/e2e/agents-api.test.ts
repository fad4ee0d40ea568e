/**
 * The Connect API's side of agents, through a real node with @aws-sdk/client-connect: agent
 * statuses, a supervisor setting an agent's status, moving them between routing profiles,
 * changing a routing profile's queues, dismissing a missed contact, deleting a user, and the
 * real-time figures (GetCurrentUserData, GetCurrentMetricData) — with the agents' workspaces
 * driven over the wire (AgentClient) to see that routing follows each change at once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AssociateRoutingProfileQueuesCommand,
  CreateAgentStatusCommand,
  CreateContactFlowCommand,
  CreateQueueCommand,
  CreateRoutingProfileCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DescribeAgentStatusCommand,
  DescribeInstanceCommand,
  DescribeUserCommand,
  DisassociateRoutingProfileQueuesCommand,
  DismissUserContactCommand,
  GetCurrentMetricDataCommand,
  GetCurrentUserDataCommand,
  ListAgentStatusesCommand,
  ListHoursOfOperationsCommand,
  ListQueuesCommand,
  ListRoutingProfileQueuesCommand,
  ListRoutingProfilesCommand,
  ListSecurityProfilesCommand,
  ListUsersCommand,
  PutUserStatusCommand,
  StartChatContactCommand,
  StopContactCommand,
  UpdateRoutingProfileConcurrencyCommand,
  UpdateRoutingProfileQueuesCommand,
  UpdateUserRoutingProfileCommand,
  paginateListAgentStatuses,
  type ConnectClient,
  type CurrentMetric,
  type CurrentMetricResult,
  type GetCurrentMetricDataCommandInput,
} from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';
import { designerFlow } from '../support/flows.ts';
import { AgentClient } from '../support/agent.ts';

const PASSWORD = 'Agent-Passw0rd';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asserts the call fails with the modelled error and status. */
async function rejectsWith(call: Promise<unknown>, name: string, status: number, message?: RegExp) {
  await assert.rejects(call, (err: any) => {
    assert.equal(err.name, name, err.message);
    assert.equal(err.$metadata?.httpStatusCode, status);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** What each test needs of a node: its client, ids of the default resources, agents and chats. */
class Floor {
  readonly node: TestNode;
  readonly connect: ConnectClient;
  basicProfileId = '';
  basicQueueId = '';
  agentSecurityProfileId = '';
  hoursId = '';
  instanceArn = '';
  statusIds: Record<string, string> = {};
  #count = 0;
  readonly agents: AgentClient[] = [];
  readonly chats: string[] = [];

  constructor(node: TestNode) {
    this.node = node;
    this.connect = node.connect();
  }

  get instanceId() {
    return this.node.instanceId;
  }

  async init() {
    const InstanceId = this.instanceId;
    const [instance, profiles, security, queues, hours, statuses] = await Promise.all([
      this.connect.send(new DescribeInstanceCommand({ InstanceId })),
      this.connect.send(new ListRoutingProfilesCommand({ InstanceId })),
      this.connect.send(new ListSecurityProfilesCommand({ InstanceId })),
      this.connect.send(new ListQueuesCommand({ InstanceId })),
      this.connect.send(new ListHoursOfOperationsCommand({ InstanceId })),
      this.connect.send(new ListAgentStatusesCommand({ InstanceId })),
    ]);
    this.basicProfileId = profiles.RoutingProfileSummaryList!.find(
      (p) => p.Name === 'Basic Routing Profile',
    )!.Id!;
    this.agentSecurityProfileId = security.SecurityProfileSummaryList!.find((s) => s.Name === 'Agent')!.Id!;
    this.basicQueueId = queues.QueueSummaryList!.find((q) => q.Name === 'BasicQueue')!.Id!;
    this.hoursId = hours.HoursOfOperationSummaryList![0].Id!;
    this.instanceArn = instance.Instance!.Arn!;
    for (const s of statuses.AgentStatusSummaryList!) this.statusIds[s.Name!] = s.Id!;
  }

  /** A new user; signed in with the workspace open (Offline) unless `signIn` is false. */
  async user(opts: { routingProfileId?: string; signIn?: boolean } = {}) {
    const username = `api-agent-${++this.#count}-${randomUUID().slice(0, 8)}`;
    const { UserId, UserArn } = await this.connect.send(
      new CreateUserCommand({
        InstanceId: this.instanceId,
        Username: username,
        Password: PASSWORD,
        IdentityInfo: { FirstName: `Agent${this.#count}`, LastName: 'Api' },
        PhoneConfig: { PhoneType: 'SOFT_PHONE' },
        RoutingProfileId: opts.routingProfileId ?? this.basicProfileId,
        SecurityProfileIds: [this.agentSecurityProfileId],
      }),
    );
    const client = new AgentClient(this.node.url);
    if (opts.signIn !== false) {
      await client.signIn(username, PASSWORD);
      await client.connect();
      this.agents.push(client);
    }
    return { userId: UserId!, userArn: UserArn!, username, client };
  }

  putStatus(userId: string, status: string) {
    return this.connect.send(
      new PutUserStatusCommand({
        InstanceId: this.instanceId,
        UserId: userId,
        AgentStatusId: this.statusIds[status] ?? status,
      }),
    );
  }

  async chat(flowId = this.node.flowId) {
    const { ContactId } = await this.connect.send(
      new StartChatContactCommand({
        InstanceId: this.instanceId,
        ContactFlowId: flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
    this.chats.push(ContactId!);
    return ContactId!;
  }

  async userData(filters: Record<string, unknown>) {
    const out = await this.connect.send(
      new GetCurrentUserDataCommand({ InstanceId: this.instanceId, Filters: filters }),
    );
    return out.UserDataList!;
  }

  async metrics(input: Partial<GetCurrentMetricDataCommandInput> & { metrics: string[] }) {
    const out = await this.connect.send(
      new GetCurrentMetricDataCommand({
        InstanceId: this.instanceId,
        Filters: { Queues: [this.basicQueueId] },
        Groupings: ['QUEUE'],
        ...input,
        CurrentMetrics: input.metrics.map(
          (Name) => ({ Name, Unit: Name === 'OLDEST_CONTACT_AGE' ? 'SECONDS' : 'COUNT' }) as CurrentMetric,
        ),
      }),
    );
    return out;
  }

  /** Ends the test's chats, sends its agents Offline and closes their workspaces. */
  async settle() {
    for (const contactId of this.chats.splice(0)) {
      await this.connect
        .send(new StopContactCommand({ InstanceId: this.instanceId, ContactId: contactId }))
        .catch(() => undefined); // ended already
    }
    for (const a of this.agents.splice(0)) {
      if (a.latest) await a.setStatus('Offline').catch(() => undefined); // deleted or signed out
      await a.disconnect();
    }
  }
}

/** The contacts the agent's workspace shows. */
const contactsOf = (a: AgentClient): string[] => a.latest!.contacts.map((c) => c.contactId);

/** The values of one metric result, by metric name. */
const valuesOf = (r: CurrentMetricResult | undefined) =>
  Object.fromEntries((r?.Collections ?? []).map((c) => [c.Metric!.Name!, c.Value]));

/** Polls until `test` holds (for figures that follow routing a moment later). */
async function eventually<T>(get: () => Promise<T>, test: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await get();
    if (test(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await sleep(50);
  }
}

describe('agents through the Connect API', () => {
  let floor: Floor;

  before(async () => {
    floor = new Floor(await startTestNode());
    await floor.init();
  });
  after(() => floor.node.close());

  it('CreateAgentStatus makes CUSTOM statuses; DescribeAgentStatus and ListAgentStatuses (and its paginator) show them', async () => {
    const InstanceId = floor.instanceId;
    const created = await floor.connect.send(
      new CreateAgentStatusCommand({
        InstanceId,
        Name: 'Lunch',
        Description: 'Out to lunch',
        State: 'ENABLED',
        DisplayOrder: 3,
        Tags: { team: 'support' },
      }),
    );
    assert.match(created.AgentStatusId!, /^[0-9a-f-]{36}$/);
    assert.equal(created.AgentStatusARN, `${floor.instanceArn}/agent-state/${created.AgentStatusId}`);
    floor.statusIds.Lunch = created.AgentStatusId!;
    const disabled = await floor.connect.send(
      new CreateAgentStatusCommand({ InstanceId, Name: 'Retired', State: 'DISABLED' }),
    );
    floor.statusIds.Retired = disabled.AgentStatusId!;

    const { AgentStatus } = await floor.connect.send(
      new DescribeAgentStatusCommand({ InstanceId, AgentStatusId: created.AgentStatusARN }),
    );
    assert.deepEqual(
      { ...AgentStatus, LastModifiedTime: undefined },
      {
        AgentStatusARN: created.AgentStatusARN,
        AgentStatusId: created.AgentStatusId,
        Name: 'Lunch',
        Description: 'Out to lunch',
        Type: 'CUSTOM',
        DisplayOrder: 3,
        State: 'ENABLED',
        Tags: { team: 'support' },
        LastModifiedTime: undefined,
        LastModifiedRegion: floor.node.region,
      },
    );
    assert.ok(AgentStatus!.LastModifiedTime instanceof Date);

    const custom = await floor.connect.send(
      new ListAgentStatusesCommand({ InstanceId, AgentStatusTypes: ['CUSTOM'] }),
    );
    assert.deepEqual(
      custom.AgentStatusSummaryList!.map((s) => [s.Name, s.Type]),
      [
        ['Lunch', 'CUSTOM'],
        ['Retired', 'CUSTOM'],
      ],
    );
    const summary = custom.AgentStatusSummaryList![0];
    assert.equal(summary.Arn, created.AgentStatusARN);
    assert.equal(summary.LastModifiedRegion, floor.node.region);
    assert.ok(summary.LastModifiedTime instanceof Date);

    const pages = [];
    for await (const page of paginateListAgentStatuses(
      { client: floor.connect, pageSize: 1 },
      { InstanceId },
    ))
      pages.push(page.AgentStatusSummaryList!.map((s) => `${s.Name}:${s.Type}`));
    assert.deepEqual(pages.flat(), [
      'Available:ROUTABLE',
      'Offline:OFFLINE',
      'Lunch:CUSTOM',
      'Retired:CUSTOM',
    ]);
    assert.ok(pages.length >= 4, 'one a page');

    // The workspace offers the agent the enabled ones.
    const { client } = await floor.user();
    assert.deepEqual(
      client.latest!.statuses.map((s) => s.name),
      ['Available', 'Offline', 'Lunch'],
    );
    await floor.settle();
  });

  it('refuses a taken name, unknown ids and what the model does not allow', async () => {
    const InstanceId = floor.instanceId;
    await rejectsWith(
      floor.connect.send(new CreateAgentStatusCommand({ InstanceId, Name: 'Lunch', State: 'ENABLED' })),
      'DuplicateResourceException',
      409,
    );
    await rejectsWith(
      floor.connect.send(new CreateAgentStatusCommand({ InstanceId, Name: 'Available', State: 'ENABLED' })),
      'DuplicateResourceException',
      409,
    );
    await rejectsWith(
      floor.connect.send(new DescribeAgentStatusCommand({ InstanceId, AgentStatusId: randomUUID() })),
      'ResourceNotFoundException',
      404,
      /Agent status .* not found/,
    );
    await rejectsWith(
      floor.connect.send(new ListAgentStatusesCommand({ InstanceId: randomUUID() })),
      'ResourceNotFoundException',
      404,
    );
    await rejectsWith(
      floor.connect.send(
        new CreateAgentStatusCommand({ InstanceId, Name: 'x'.repeat(128), State: 'ENABLED' }),
      ),
      'InvalidParameterException',
      400,
      /at 'name' failed to satisfy constraint: Member must have length less than or equal to 127/,
    );
    await rejectsWith(
      floor.connect.send(new CreateAgentStatusCommand({ InstanceId, Name: 'Busy', State: 'PAUSED' as any })),
      'InvalidParameterException',
      400,
      /at 'state' failed to satisfy constraint: Member must satisfy enum value set/,
    );
    await rejectsWith(
      floor.connect.send(new ListAgentStatusesCommand({ InstanceId, AgentStatusTypes: ['BUSY' as any] })),
      'InvalidParameterException',
      400,
      /Member must satisfy enum value set/,
    );
    const { userId } = await floor.user({ signIn: false });
    await rejectsWith(floor.putStatus(randomUUID(), 'Available'), 'ResourceNotFoundException', 404, /User/);
    await rejectsWith(
      floor.putStatus(userId, randomUUID()),
      'ResourceNotFoundException',
      404,
      /Agent status/,
    );
    await rejectsWith(floor.putStatus(userId, 'Retired'), 'InvalidRequestException', 400, /disabled/);
    await rejectsWith(
      floor.connect.send(
        new UpdateUserRoutingProfileCommand({ InstanceId, UserId: userId, RoutingProfileId: randomUUID() }),
      ),
      'ResourceNotFoundException',
      404,
      /Routing profile/,
    );
    await rejectsWith(
      floor.connect.send(new DeleteUserCommand({ InstanceId, UserId: randomUUID() })),
      'ResourceNotFoundException',
      404,
    );
    await rejectsWith(
      floor.connect.send(
        new DismissUserContactCommand({ InstanceId, UserId: userId, ContactId: randomUUID() }),
      ),
      'ResourceNotFoundException',
      404,
    );
    await rejectsWith(
      floor.connect.send(
        new AssociateRoutingProfileQueuesCommand({
          InstanceId,
          RoutingProfileId: floor.basicProfileId,
          QueueConfigs: [
            { QueueReference: { QueueId: randomUUID(), Channel: 'CHAT' }, Priority: 1, Delay: 0 },
          ],
        }),
      ),
      'ResourceNotFoundException',
      404,
      /Queue/,
    );
    await rejectsWith(
      floor.connect.send(
        new UpdateRoutingProfileConcurrencyCommand({
          InstanceId,
          RoutingProfileId: floor.basicProfileId,
          MediaConcurrencies: [{ Channel: 'VOICE', Concurrency: 2 }],
        }),
      ),
      'InvalidParameterException',
      400,
      /VOICE concurrency is at most 1/,
    );
    await rejectsWith(
      floor.connect.send(new GetCurrentUserDataCommand({ InstanceId, Filters: {} })),
      'InvalidParameterException',
      400,
      /exactly one/,
    );
    await rejectsWith(
      floor.connect.send(
        new GetCurrentUserDataCommand({
          InstanceId,
          Filters: { Agents: [userId], Queues: [floor.basicQueueId] },
        }),
      ),
      'InvalidParameterException',
      400,
      /exactly one/,
    );
    await rejectsWith(floor.userData({ Agents: [randomUUID()] }), 'ResourceNotFoundException', 404);
    await rejectsWith(
      floor.metrics({ Filters: {}, metrics: ['AGENTS_ONLINE'] }),
      'InvalidParameterException',
      400,
      /Queues/,
    );
    await rejectsWith(
      floor.metrics({ Groupings: ['ROUTING_PROFILE'], metrics: ['AGENTS_ONLINE'] }),
      'InvalidParameterException',
      400,
      /ROUTING_PROFILE/,
    );
    await rejectsWith(
      floor.metrics({ Filters: { Queues: [randomUUID()] }, metrics: ['AGENTS_ONLINE'] }),
      'ResourceNotFoundException',
      404,
    );
    await rejectsWith(
      floor.connect.send(
        new GetCurrentMetricDataCommand({
          InstanceId,
          Filters: { Queues: [floor.basicQueueId] },
          CurrentMetrics: [{ Name: 'OLDEST_CONTACT_AGE', Unit: 'COUNT' }],
        }),
      ),
      'InvalidParameterException',
      400,
      /unit of OLDEST_CONTACT_AGE is SECONDS/,
    );
    await rejectsWith(
      floor.connect.send(
        new GetCurrentMetricDataCommand({
          InstanceId,
          Filters: { Queues: [floor.basicQueueId] },
          CurrentMetrics: [{ Name: 'AGENTS_ONLINE' as any, Unit: 'MINUTES' as any }],
        }),
      ),
      'InvalidParameterException',
      400,
      /at 'currentMetrics.1.member.unit' failed to satisfy constraint: Member must satisfy enum value set/,
    );
    await floor.settle();
  });

  it('PutUserStatus: Available gets the agent a chat at once, a custom status stops offers', async () => {
    const never = await floor.user({ signIn: false });
    // A user who has never signed in gets a status too, but no workspace: nothing is offered.
    await floor.putStatus(never.userId, 'Available');
    const { userId, userArn, client } = await floor.user();
    assert.equal(client.latest!.status.name, 'Offline');
    const first = await floor.chat();
    await sleep(200);
    assert.deepEqual(contactsOf(client), [], 'Offline: offered nothing');

    await floor.putStatus(userId, 'Available');
    await client.offer(first);
    assert.equal(client.latest!.status.name, 'Available');

    // GetCurrentUserData: the status, the slots, the contact CONNECTING, then CONNECTED.
    const [offered] = await floor.userData({ Agents: [userArn] });
    assert.deepEqual(offered.User, { Id: userId, Arn: userArn });
    assert.deepEqual(offered.RoutingProfile, {
      Id: floor.basicProfileId,
      Arn: `${floor.instanceArn}/routing-profile/${floor.basicProfileId}`,
    });
    assert.equal(offered.Status!.StatusName, 'Available');
    assert.equal(offered.Status!.StatusArn, `${floor.instanceArn}/agent-state/${floor.statusIds.Available}`);
    assert.ok(offered.Status!.StatusStartTimestamp instanceof Date);
    assert.deepEqual(offered.MaxSlotsByChannel, { VOICE: 1, CHAT: 2, TASK: 10 });
    assert.deepEqual(offered.ActiveSlotsByChannel, { VOICE: 0, CHAT: 1, TASK: 0 });
    assert.deepEqual(offered.AvailableSlotsByChannel, { VOICE: 1, CHAT: 1, TASK: 10 });
    assert.equal(offered.Contacts!.length, 1);
    const c = offered.Contacts![0];
    assert.equal(c.ContactId, first);
    assert.equal(c.Channel, 'CHAT');
    assert.equal(c.InitiationMethod, 'API');
    assert.equal(c.AgentContactState, 'CONNECTING');
    assert.ok(c.StateStartTimestamp instanceof Date);
    assert.equal(c.ConnectedToAgentTimestamp, undefined);
    assert.deepEqual(c.Queue, {
      Id: floor.basicQueueId,
      Arn: `${floor.instanceArn}/queue/${floor.basicQueueId}`,
    });

    await client.accept(first);
    const [connected] = await floor
      .userData({ Queues: [floor.basicQueueId] })
      .then((list) => list.filter((u) => u.User!.Id === userId));
    assert.equal(connected.Contacts![0].AgentContactState, 'CONNECTED');
    assert.ok(connected.Contacts![0].ConnectedToAgentTimestamp instanceof Date);
    // The never-signed-in user is Available without a workspace: active, and shown.
    const byProfile = await floor.userData({ RoutingProfiles: [floor.basicProfileId] });
    assert.ok(byProfile.some((u) => u.User!.Id === never.userId && u.Status!.StatusName === 'Available'));
    const withContacts = await floor.userData({
      RoutingProfiles: [floor.basicProfileId],
      ContactFilter: { ContactStates: ['CONNECTED'] },
    });
    assert.deepEqual(
      withContacts.map((u) => u.User!.Id),
      [userId],
    );

    // A custom status: no more offers, though a slot is free.
    await floor.putStatus(userId, 'Lunch');
    await client.until((s) => s.status.name === 'Lunch');
    const second = await floor.chat();
    await sleep(300);
    assert.ok(!contactsOf(client).includes(second), 'not offered in Lunch');
    const [lunch] = await floor.userData({ Agents: [userId] });
    assert.equal(lunch.Status!.StatusName, 'Lunch');
    assert.equal(lunch.AvailableSlotsByChannel!.CHAT, 0);
    await floor.putStatus(never.userId, 'Offline');
    await floor.settle();
  });

  it('GetCurrentMetricData: contacts in queue, oldest age, agents online, available, on contact, slots', async () => {
    const all = [
      'AGENTS_ONLINE',
      'AGENTS_AVAILABLE',
      'AGENTS_ON_CONTACT',
      'AGENTS_NON_PRODUCTIVE',
      'AGENTS_STAFFED',
      'AGENTS_ERROR',
      'AGENTS_AFTER_CONTACT_WORK',
      'CONTACTS_IN_QUEUE',
      'OLDEST_CONTACT_AGE',
      'SLOTS_ACTIVE',
      'SLOTS_AVAILABLE',
    ];
    const basic = async (extra: Partial<GetCurrentMetricDataCommandInput> = {}) => {
      const out = await floor.metrics({
        Filters: { Queues: [floor.basicQueueId], Channels: ['CHAT'] },
        Groupings: ['QUEUE', 'CHANNEL'],
        metrics: all,
        ...extra,
      });
      return out;
    };
    const { userId, client } = await floor.user();
    await floor.putStatus(userId, 'Lunch');
    const chat = await floor.chat();
    await sleep(1100);

    const waiting = await basic();
    assert.ok(waiting.DataSnapshotTime instanceof Date);
    assert.equal(waiting.ApproximateTotalCount, 1);
    assert.equal(waiting.MetricResults!.length, 1);
    const [result] = waiting.MetricResults!;
    assert.deepEqual(result.Dimensions, {
      Queue: { Id: floor.basicQueueId, Arn: `${floor.instanceArn}/queue/${floor.basicQueueId}` },
      Channel: 'CHAT',
    });
    assert.deepEqual(
      result.Collections!.map((c) => [c.Metric!.Name, c.Metric!.Unit]),
      all.map((n) => [n, n === 'OLDEST_CONTACT_AGE' ? 'SECONDS' : 'COUNT']),
      'every metric asked, in the order asked, with its unit',
    );
    const w = valuesOf(result);
    assert.equal(w.CONTACTS_IN_QUEUE, 1);
    assert.ok(w.OLDEST_CONTACT_AGE! >= 1 && w.OLDEST_CONTACT_AGE! < 30, `age ${w.OLDEST_CONTACT_AGE} s`);
    assert.deepEqual(
      [w.AGENTS_ONLINE, w.AGENTS_NON_PRODUCTIVE, w.AGENTS_STAFFED, w.AGENTS_AVAILABLE, w.SLOTS_AVAILABLE],
      [1, 1, 0, 0, 0],
    );
    // Without groupings Amazon Connect gives OLDEST_CONTACT_AGE in milliseconds (Unit says SECONDS).
    const whole = await floor.metrics({ Groupings: [], metrics: ['OLDEST_CONTACT_AGE'] });
    assert.equal(whole.MetricResults!.length, 1);
    assert.deepEqual(whole.MetricResults![0].Dimensions, {});
    assert.ok(valuesOf(whole.MetricResults![0]).OLDEST_CONTACT_AGE! >= 1000);

    await floor.putStatus(userId, 'Available');
    await client.accept(await client.offer(chat));
    const busy = valuesOf((await basic()).MetricResults![0]);
    assert.deepEqual(busy, {
      AGENTS_ONLINE: 1,
      AGENTS_AVAILABLE: 1, // a second chat slot
      AGENTS_ON_CONTACT: 1,
      AGENTS_NON_PRODUCTIVE: 0,
      AGENTS_STAFFED: 1,
      AGENTS_ERROR: 0,
      AGENTS_AFTER_CONTACT_WORK: 0,
      CONTACTS_IN_QUEUE: 0,
      OLDEST_CONTACT_AGE: 0,
      SLOTS_ACTIVE: 1,
      SLOTS_AVAILABLE: 1,
    });
    // Every channel of the queue: the VOICE and TASK slots too.
    const channels = await floor.metrics({
      Filters: { Queues: [floor.basicQueueId] },
      metrics: ['SLOTS_AVAILABLE'],
    });
    assert.equal(valuesOf(channels.MetricResults![0]).SLOTS_AVAILABLE, 12);

    await floor.connect.send(new StopContactCommand({ InstanceId: floor.instanceId, ContactId: chat }));
    await client.until((s) => s.contacts.some((x) => x.contactId === chat && x.state === 'ENDED'));
    const acw = valuesOf((await basic()).MetricResults![0]);
    assert.deepEqual([acw.AGENTS_AFTER_CONTACT_WORK, acw.AGENTS_ON_CONTACT, acw.SLOTS_ACTIVE], [1, 0, 1]);
    await floor.settle();
  });

  it('AssociateRoutingProfileQueues brings a chat waiting in a new queue to the agent; the other queue operations follow', async () => {
    const InstanceId = floor.instanceId;
    const { QueueId: queueId, QueueArn: queueArn } = await floor.connect.send(
      new CreateQueueCommand({
        InstanceId,
        Name: `Escalations-${randomUUID()}`,
        HoursOfOperationId: floor.hoursId,
      }),
    );
    const [setQueue, transfer, end] = [randomUUID(), randomUUID(), randomUUID()];
    const { ContactFlowId: flowId } = await floor.connect.send(
      new CreateContactFlowCommand({
        InstanceId,
        Name: `to escalations ${randomUUID()}`,
        Type: 'CONTACT_FLOW',
        Content: designerFlow([
          {
            Identifier: setQueue,
            Type: 'UpdateContactTargetQueue',
            Parameters: { QueueId: queueArn },
            Transitions: {
              NextAction: transfer,
              Errors: [{ ErrorType: 'NoMatchingError', NextAction: end }],
            },
          },
          {
            Identifier: transfer,
            Type: 'TransferContactToQueue',
            Parameters: {},
            Transitions: {
              NextAction: end,
              Errors: [
                { ErrorType: 'QueueAtCapacity', NextAction: end },
                { ErrorType: 'NoMatchingError', NextAction: end },
              ],
            },
          },
          { Identifier: end, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
        ]),
      }),
    );
    // A team whose profile has no queue yet.
    const { RoutingProfileId: profileId } = await floor.connect.send(
      new CreateRoutingProfileCommand({
        InstanceId,
        Name: `Escalation team ${randomUUID()}`,
        Description: 'Escalations',
        DefaultOutboundQueueId: queueId,
        MediaConcurrencies: [{ Channel: 'CHAT', Concurrency: 2 }],
      }),
    );
    const { userId, client } = await floor.user({ routingProfileId: profileId });
    await floor.putStatus(userId, 'Available');
    const chat = await floor.chat(flowId);
    await eventually(
      () => floor.metrics({ Filters: { Queues: [queueId!] }, metrics: ['CONTACTS_IN_QUEUE'] }),
      (m) => valuesOf(m.MetricResults![0]).CONTACTS_IN_QUEUE === 1,
      'the chat waits in the new queue',
    );
    assert.deepEqual(contactsOf(client), [], 'not offered: the profile lacks the queue');

    await floor.connect.send(
      new AssociateRoutingProfileQueuesCommand({
        InstanceId,
        RoutingProfileId: profileId,
        QueueConfigs: [{ QueueReference: { QueueId: queueArn, Channel: 'CHAT' }, Priority: 1, Delay: 0 }],
      }),
    );
    await client.offer(chat);
    const queues = async () =>
      (
        await floor.connect.send(
          new ListRoutingProfileQueuesCommand({ InstanceId, RoutingProfileId: profileId }),
        )
      ).RoutingProfileQueueConfigSummaryList!.map((q) => [q.QueueId, q.Channel, q.Priority, q.Delay]);
    assert.deepEqual(await queues(), [[queueId, 'CHAT', 1, 0]]);

    await floor.connect.send(
      new UpdateRoutingProfileQueuesCommand({
        InstanceId,
        RoutingProfileId: profileId,
        QueueConfigs: [{ QueueReference: { QueueId: queueId, Channel: 'CHAT' }, Priority: 2, Delay: 5 }],
      }),
    );
    assert.deepEqual(await queues(), [[queueId, 'CHAT', 2, 5]]);
    await rejectsWith(
      floor.connect.send(
        new UpdateRoutingProfileQueuesCommand({
          InstanceId,
          RoutingProfileId: profileId,
          QueueConfigs: [{ QueueReference: { QueueId: queueId, Channel: 'TASK' }, Priority: 1, Delay: 0 }],
        }),
      ),
      'InvalidParameterException',
      400,
      /not associated/,
    );
    await floor.connect.send(
      new DisassociateRoutingProfileQueuesCommand({
        InstanceId,
        RoutingProfileId: profileId,
        QueueReferences: [{ QueueId: queueId, Channel: 'CHAT' }],
      }),
    );
    assert.deepEqual(await queues(), []);

    await floor.connect.send(
      new UpdateRoutingProfileConcurrencyCommand({
        InstanceId,
        RoutingProfileId: profileId,
        MediaConcurrencies: [
          { Channel: 'CHAT', Concurrency: 3 },
          { Channel: 'TASK', Concurrency: 1 },
        ],
      }),
    );
    const [data] = await floor.userData({ RoutingProfiles: [profileId] });
    assert.deepEqual(data.MaxSlotsByChannel, { CHAT: 3, TASK: 1 });
    await floor.settle();
  });

  it('UpdateUserRoutingProfile: routing follows the new profile at once', async () => {
    const InstanceId = floor.instanceId;
    const { QueueId: queueId } = await floor.connect.send(
      new CreateQueueCommand({
        InstanceId,
        Name: `Quiet-${randomUUID()}`,
        HoursOfOperationId: floor.hoursId,
      }),
    );
    const { RoutingProfileId: quietId } = await floor.connect.send(
      new CreateRoutingProfileCommand({
        InstanceId,
        Name: `Quiet team ${randomUUID()}`,
        Description: 'Serves a queue nobody calls',
        DefaultOutboundQueueId: queueId,
        MediaConcurrencies: [{ Channel: 'CHAT', Concurrency: 1 }],
        QueueConfigs: [{ QueueReference: { QueueId: queueId, Channel: 'CHAT' }, Priority: 1, Delay: 0 }],
      }),
    );
    const { userId, client } = await floor.user({ routingProfileId: quietId });
    await floor.putStatus(userId, 'Available');
    const chat = await floor.chat();
    await sleep(300);
    assert.deepEqual(contactsOf(client), [], 'BasicQueue is not in their profile');

    await floor.connect.send(
      new UpdateUserRoutingProfileCommand({
        InstanceId,
        UserId: userId,
        RoutingProfileId: floor.basicProfileId,
      }),
    );
    await client.offer(chat);
    const { User } = await floor.connect.send(new DescribeUserCommand({ InstanceId, UserId: userId }));
    assert.equal(User!.RoutingProfileId, floor.basicProfileId);
    const [data] = await floor.userData({ Agents: [userId] });
    assert.equal(data.RoutingProfile!.Id, floor.basicProfileId);
    assert.equal(client.latest!.routingProfile.id, floor.basicProfileId);
    await floor.settle();
  });

  it('DeleteUser ends their session; their offer goes back to the queue', async () => {
    const InstanceId = floor.instanceId;
    const doomed = await floor.user();
    await floor.putStatus(doomed.userId, 'Available');
    const chat = await floor.chat();
    await doomed.client.offer(chat);

    await floor.connect.send(new DeleteUserCommand({ InstanceId, UserId: doomed.userId }));
    // Their open workspace is told, and its event socket closes.
    await doomed.client.untilSignedOut();
    assert.equal((await doomed.client.request('GET', '/state')).status, 401);
    await rejectsWith(
      floor.connect.send(new DescribeUserCommand({ InstanceId, UserId: doomed.userId })),
      'ResourceNotFoundException',
      404,
    );
    const users = await floor.connect.send(new ListUsersCommand({ InstanceId }));
    assert.ok(!users.UserSummaryList!.some((u) => u.Id === doomed.userId));
    await rejectsWith(
      floor.connect.send(new DeleteUserCommand({ InstanceId, UserId: doomed.userId })),
      'ResourceNotFoundException',
      404,
    );
    const again = new AgentClient(floor.node.url);
    assert.equal(
      (await again.request('POST', '/session', { username: doomed.username, password: PASSWORD })).status,
      401,
    );
    await rejectsWith(floor.userData({ Agents: [doomed.userId] }), 'ResourceNotFoundException', 404);

    // The chat waits again, and goes to the next agent.
    const next = await floor.user();
    await floor.putStatus(next.userId, 'Available');
    await next.client.offer(chat);
    await floor.settle();
  });
});

describe('DismissUserContact (offers time out after 1 s)', () => {
  let floor: Floor;

  before(async () => {
    floor = new Floor(await startTestNode(['--offer-timeout', '1']));
    await floor.init();
  });
  after(() => floor.node.close());

  it('frees the agent of a missed contact; a contact still offered is refused', async () => {
    const InstanceId = floor.instanceId;
    const { userId, client } = await floor.user();
    await floor.putStatus(userId, 'Available');
    const chat = await floor.chat();
    await client.offer(chat);
    await rejectsWith(
      floor.connect.send(new DismissUserContactCommand({ InstanceId, UserId: userId, ContactId: chat })),
      'InvalidRequestException',
      400,
      /CONNECTING/,
    );

    await client.until((s) => s.contacts.some((c) => c.contactId === chat && c.state === 'MISSED'), 5000);
    const [missed] = await floor.userData({ Agents: [userId] });
    assert.equal(missed.Contacts![0].AgentContactState, 'MISSED');
    assert.deepEqual(missed.AvailableSlotsByChannel, { VOICE: 0, CHAT: 0, TASK: 0 }, 'routed nothing');
    const metrics = await floor.metrics({ metrics: ['AGENTS_ERROR', 'CONTACTS_IN_QUEUE'] });
    assert.deepEqual(valuesOf(metrics.MetricResults![0]), { AGENTS_ERROR: 1, CONTACTS_IN_QUEUE: 1 });

    await floor.connect.send(new DismissUserContactCommand({ InstanceId, UserId: userId, ContactId: chat }));
    // Free again: nobody else is there, so the chat is offered to them once more.
    await client.until((s) => !s.contacts.some((c) => c.state === 'MISSED'), 5000);
    await client.offer(chat);
    await floor.settle();
  });
});

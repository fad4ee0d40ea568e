/**
 * The real AWS CLI v2 (Debian's awscli, 2.9.x) against a real node: the issue's seed command
 * verbatim in shorthand syntax, the same request in JSON syntax and through --cli-input-json,
 * the CLI's output formats and --query, the contact operations, the admin operations (storage
 * configs included) and the CLI's own paginator over the server's NextToken, a supervisor
 * setting up a queue, routing profile and agent that routing follows, and the exit codes of
 * service errors.
 *
 * Each CLI call costs about half a second, so the file stays under 50 calls and runs
 * independent reads in parallel.
 *
 * CLI 2.9's bundled model predates Contact.DisconnectReason and Contact.Attributes, so the CLI
 * drops them from describe-contact's output; where that matters the raw response body is read
 * from `--debug`.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestNode, tempDir, type TestNode } from '../support/node.ts';
import { AWS_CLI, skipUnless } from '../support/tools.ts';
import { AgentClient } from '../support/agent.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; never throws on a non-zero exit (the caller asserts the code). */
function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      AWS_CLI,
      args,
      { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

const clientToken = () => `4c1f${randomBytes(14).toString('hex')}`;

describe('AWS CLI v2', { skip: skipUnless('aws-cli') }, () => {
  let node: TestNode;
  let work: string;

  /** `aws connect <subcommand> --endpoint-url <url> …`, the argument order of the issue. */
  const connect = (subcommand: string, ...args: string[]): Promise<Run> =>
    run(['connect', subcommand, '--endpoint-url', node.url, ...args], node.awsEnv);

  /** Like connect(), but asserts exit 0 and parses the printed JSON. */
  async function ok(subcommand: string, ...args: string[]): Promise<any> {
    const r = await connect(subcommand, ...args);
    assert.equal(r.code, 0, `aws connect ${subcommand} exited ${r.code}:\n${r.stderr}`);
    return r.stdout.trim() === '' ? {} : JSON.parse(r.stdout);
  }

  function assertStarted(out: any): void {
    for (const key of ['ContactId', 'ParticipantId', 'ParticipantToken']) {
      assert.equal(typeof out[key], 'string', `${key} missing from ${JSON.stringify(out)}`);
      assert.ok(out[key].length > 0);
    }
  }

  function assertNearNow(iso: unknown, what: string): void {
    assert.equal(typeof iso, 'string', `${what} should be printed as an ISO string`);
    const t = Date.parse(iso as string);
    assert.ok(Number.isFinite(t), `${what} ${String(iso)} does not parse as a date`);
    assert.ok(Math.abs(Date.now() - t) < 120_000, `${what} ${String(iso)} is not near now`);
  }

  before(async () => {
    node = await startTestNode();
    work = tempDir('localconnect-cli-');
  });

  after(async () => {
    await node?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('contacts', () => {
    const seedToken = clientToken();
    let seed: { ContactId: string; ParticipantId: string; ParticipantToken: string };

    test('the seed command, verbatim in shorthand syntax', async () => {
      seed = await ok(
        'start-chat-contact',
        '--instance-id',
        node.instanceId,
        '--contact-flow-id',
        node.flowId,
        '--participant-details',
        'DisplayName=Jane',
        '--attributes',
        'customerTier=gold,lang=en',
        '--initial-message',
        'ContentType=text/plain,Content=Hello',
        '--client-token',
        seedToken,
        '--chat-duration-in-minutes',
        '90',
      );
      assertStarted(seed);
    });

    const seedArgs = () => [
      '--instance-id',
      node.instanceId,
      '--contact-flow-id',
      node.flowId,
      '--participant-details',
      'DisplayName=Jane',
      '--attributes',
      'customerTier=gold,lang=en',
      '--initial-message',
      'ContentType=text/plain,Content=Hello',
      '--client-token',
      seedToken,
      '--chat-duration-in-minutes',
      '90',
    ];

    test('repeating the client token returns the same contact, participant and token', async () => {
      const again = await ok('start-chat-contact', ...seedArgs());
      assert.deepEqual(
        {
          ContactId: again.ContactId,
          ParticipantId: again.ParticipantId,
          ParticipantToken: again.ParticipantToken,
        },
        seed,
      );
    });

    test('--query ContactId --output text prints just the id', async () => {
      const r = await connect(
        'start-chat-contact',
        ...seedArgs(),
        '--query',
        'ContactId',
        '--output',
        'text',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${seed.ContactId}\n`);
    });

    test('--output table prints a table with the ContactId', async () => {
      const r = await connect('start-chat-contact', ...seedArgs(), '--output', 'table');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /StartChatContact/);
      assert.match(r.stdout, /^\+-+\+-+\+$/m);
      assert.match(r.stdout, new RegExp(`\\|\\s+ContactId\\s+\\|\\s+${seed.ContactId}\\s+\\|`));
    });

    test('JSON syntax', async () => {
      const out = await ok(
        'start-chat-contact',
        '--instance-id',
        node.instanceId,
        '--contact-flow-id',
        node.flowId,
        '--participant-details',
        '{"DisplayName":"Jane"}',
        '--attributes',
        '{"customerTier":"gold","lang":"en"}',
        '--initial-message',
        '{"ContentType":"text/plain","Content":"Hello"}',
        '--client-token',
        clientToken(),
        '--chat-duration-in-minutes',
        '90',
      );
      assertStarted(out);
      assert.notEqual(out.ContactId, seed.ContactId, 'a new client token starts a new contact');
    });

    test('--cli-input-json from a file:// and inline', async () => {
      const input = (ClientToken: string) =>
        JSON.stringify({
          InstanceId: node.instanceId,
          ContactFlowId: node.flowId,
          ParticipantDetails: { DisplayName: 'Jane' },
          Attributes: { customerTier: 'gold', lang: 'en' },
          InitialMessage: { ContentType: 'text/plain', Content: 'Hello' },
          ClientToken,
          ChatDurationInMinutes: 90,
        });
      const file = join(work, 'start-chat.json');
      writeFileSync(file, input(clientToken()));
      const [fromFile, inline] = await Promise.all([
        ok('start-chat-contact', '--cli-input-json', `file://${file}`),
        ok('start-chat-contact', '--cli-input-json', input(clientToken())),
      ]);
      assertStarted(fromFile);
      assertStarted(inline);
      assert.notEqual(fromFile.ContactId, inline.ContactId);
      const attrs = await ok(
        'get-contact-attributes',
        '--instance-id',
        node.instanceId,
        '--initial-contact-id',
        inline.ContactId,
      );
      assert.deepEqual(attrs.Attributes, { customerTier: 'gold', lang: 'en' });
    });

    test('describe-contact', async () => {
      const { Contact } = await ok(
        'describe-contact',
        '--instance-id',
        node.instanceId,
        '--contact-id',
        seed.ContactId,
      );
      assert.equal(Contact.Id, seed.ContactId);
      assert.equal(Contact.InitialContactId, seed.ContactId);
      assert.equal(Contact.Channel, 'CHAT');
      assert.equal(Contact.InitiationMethod, 'API');
      assertNearNow(Contact.InitiationTimestamp, 'InitiationTimestamp');
      assertNearNow(Contact.LastUpdateTimestamp, 'LastUpdateTimestamp');
      assert.equal(Contact.DisconnectTimestamp, undefined);
    });

    test('get-contact-attributes, update-contact-attributes, get again', async () => {
      const ids = ['--instance-id', node.instanceId, '--initial-contact-id', seed.ContactId];
      assert.deepEqual((await ok('get-contact-attributes', ...ids)).Attributes, {
        customerTier: 'gold',
        lang: 'en',
      });
      await ok('update-contact-attributes', ...ids, '--attributes', 'lang=fr,vip=yes');
      assert.deepEqual((await ok('get-contact-attributes', ...ids)).Attributes, {
        customerTier: 'gold',
        lang: 'fr',
        vip: 'yes',
      });
    });

    test('stop-contact, then describe shows the disconnect, then a second stop fails', async () => {
      const ids = ['--instance-id', node.instanceId, '--contact-id', seed.ContactId];
      await ok('stop-contact', ...ids);

      const described = await connect('describe-contact', ...ids, '--debug');
      assert.equal(described.code, 0, described.stderr.slice(-4000));
      const { Contact } = JSON.parse(described.stdout);
      assertNearNow(Contact.DisconnectTimestamp, 'DisconnectTimestamp');
      // CLI 2.9's model has no Contact.DisconnectReason, so the CLI drops it: read the wire.
      const body = /Response body:\nb'(.*)'\n/.exec(described.stderr)?.[1];
      assert.ok(body, 'the --debug log should show the response body');
      const wire = JSON.parse(body);
      assert.equal(wire.Contact.DisconnectReason, 'API');
      assert.equal(typeof wire.Contact.DisconnectTimestamp, 'number', 'timestamps travel as epoch seconds');
      if (Contact.DisconnectReason !== undefined) assert.equal(Contact.DisconnectReason, 'API');

      const second = await connect('stop-contact', ...ids);
      assert.notEqual(second.code, 0);
      assert.equal(second.code, 254, 'a service error exits 254');
      assert.match(second.stderr, /ContactNotFoundException/);
    });
  });

  describe('admin', () => {
    /** Ids from the listings of the first test, for the create tests. */
    const defaults = { hoursId: '', agentSecurityProfileId: '', routingProfileId: '' };

    test('the default instance and its resources', async () => {
      const id = ['--instance-id', node.instanceId];
      const [instances, instance, queues, profiles, flows, hours, security, users, statuses] =
        await Promise.all([
          ok('list-instances'),
          ok('describe-instance', ...id),
          ok('list-queues', ...id),
          ok('list-routing-profiles', ...id),
          ok('list-contact-flows', ...id),
          ok('list-hours-of-operations', ...id),
          ok('list-security-profiles', ...id),
          ok('list-users', ...id),
          ok('list-agent-statuses', ...id),
        ]);
      assert.ok(instances.InstanceSummaryList.some((i: any) => i.Id === node.instanceId));
      assert.equal(instance.Instance.Id, node.instanceId);
      assert.equal(instance.Instance.InstanceStatus, 'ACTIVE');
      assert.equal(instance.Instance.IdentityManagementType, 'CONNECT_MANAGED');
      assert.ok(queues.QueueSummaryList.some((q: any) => q.Name === 'BasicQueue'));
      assert.ok(profiles.RoutingProfileSummaryList.some((p: any) => p.Name === 'Basic Routing Profile'));
      const inbound = flows.ContactFlowSummaryList.find((f: any) => f.Name === 'Default inbound flow');
      assert.ok(inbound, 'Default inbound flow listed');
      assert.equal(inbound.Id, node.flowId);
      assert.equal(inbound.ContactFlowType, 'CONTACT_FLOW');
      assert.ok(hours.HoursOfOperationSummaryList.some((h: any) => h.Name === 'Basic Hours'));
      assert.deepEqual(security.SecurityProfileSummaryList.map((s: any) => s.Name).sort(), [
        'Admin',
        'Agent',
        'CallCenterManager',
        'QualityAnalyst',
      ]);
      assert.ok(users.UserSummaryList.some((u: any) => u.Username === 'admin'));
      assert.deepEqual(
        statuses.AgentStatusSummaryList.map((s: any) => [s.Name, s.Type]),
        [
          ['Available', 'ROUTABLE'],
          ['Offline', 'OFFLINE'],
        ],
      );
      assert.match(statuses.AgentStatusSummaryList[0].Arn, /:instance\/[^/]+\/agent-state\/[0-9a-f-]{36}$/);
      defaults.hoursId = hours.HoursOfOperationSummaryList[0].Id;
      defaults.agentSecurityProfileId = security.SecurityProfileSummaryList.find(
        (s: any) => s.Name === 'Agent',
      ).Id;
      defaults.routingProfileId = profiles.RoutingProfileSummaryList[0].Id;
    });

    test('describe-contact-flow', async () => {
      const { ContactFlow } = await ok(
        'describe-contact-flow',
        '--instance-id',
        node.instanceId,
        '--contact-flow-id',
        node.flowId,
      );
      assert.equal(ContactFlow.Id, node.flowId);
      assert.equal(ContactFlow.Name, 'Default inbound flow');
      const content = JSON.parse(ContactFlow.Content);
      assert.equal(content.Version, '2019-10-30');
      assert.ok(Array.isArray(content.Actions) && content.Actions.length > 0);
    });

    test('create-queue, describe-queue, and the CLI paginator over NextToken', async () => {
      const id = ['--instance-id', node.instanceId];
      const { hoursId } = defaults;
      const created = await ok(
        'create-queue',
        ...id,
        '--name',
        'CliQueue',
        '--description',
        'made by the AWS CLI',
        '--hours-of-operation-id',
        hoursId,
        '--max-contacts',
        '7',
      );
      assert.match(created.QueueId, /\S/);
      assert.match(created.QueueArn, new RegExp(`/queue/${created.QueueId}$`));
      const { Queue } = await ok('describe-queue', ...id, '--queue-id', created.QueueId);
      assert.equal(Queue.Name, 'CliQueue');
      assert.equal(Queue.Description, 'made by the AWS CLI');
      assert.equal(Queue.HoursOfOperationId, hoursId);
      assert.equal(Queue.MaxContacts, 7);
      assert.equal(Queue.Status, 'ENABLED');

      // Now two queues. --page-size 1 makes the CLI fetch one per request and follow the
      // server's NextToken; --max-items 1 makes it stop and print its own NextToken.
      const [all, first] = await Promise.all([
        ok('list-queues', ...id, '--page-size', '1'),
        ok('list-queues', ...id, '--max-items', '1'),
      ]);
      assert.deepEqual(all.QueueSummaryList.map((q: any) => q.Name).sort(), ['BasicQueue', 'CliQueue']);
      assert.equal(all.NextToken, undefined);
      assert.equal(first.QueueSummaryList.length, 1);
      assert.equal(typeof first.NextToken, 'string');
      const rest = await ok('list-queues', ...id, '--max-items', '1', '--starting-token', first.NextToken);
      assert.equal(rest.QueueSummaryList.length, 1);
      assert.deepEqual([first.QueueSummaryList[0].Name, rest.QueueSummaryList[0].Name].sort(), [
        'BasicQueue',
        'CliQueue',
      ]);
    });

    test('associate-instance-storage-config, then list and describe it; a second one conflicts', async () => {
      const id = ['--instance-id', node.instanceId, '--resource-type', 'CHAT_TRANSCRIPTS'];
      const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const { AssociationId } = await ok(
        'associate-instance-storage-config',
        ...id,
        '--storage-config',
        `StorageType=S3,S3Config={BucketName=amazon-connect-cli,BucketPrefix=connect/cli/ChatTranscripts,EncryptionConfig={EncryptionType=KMS,KeyId=${key}}}`,
      );
      assert.match(AssociationId, /\S/);
      const expected = {
        AssociationId,
        StorageType: 'S3',
        S3Config: {
          BucketName: 'amazon-connect-cli',
          BucketPrefix: 'connect/cli/ChatTranscripts',
          EncryptionConfig: { EncryptionType: 'KMS', KeyId: key },
        },
      };
      const [listed, described, again] = await Promise.all([
        ok('list-instance-storage-configs', ...id),
        ok('describe-instance-storage-config', ...id, '--association-id', AssociationId),
        connect(
          'associate-instance-storage-config',
          ...id,
          '--storage-config',
          'StorageType=S3,S3Config={BucketName=another-bucket,BucketPrefix=p}',
        ),
      ]);
      assert.deepEqual(listed.StorageConfigs, [expected]);
      assert.deepEqual(described.StorageConfig, expected);
      assert.equal(again.code, 254, `exit code ${again.code}:\n${again.stderr}`);
      assert.match(again.stderr, /ResourceConflictException/);
    });

    test('create-user and describe-user, with the password nowhere in the output', async () => {
      const id = ['--instance-id', node.instanceId];
      const password = `Cli-Pass-${randomBytes(6).toString('hex')}1A`;
      const { agentSecurityProfileId: agentProfile, routingProfileId: routingProfile } = defaults;
      const r = await connect(
        'create-user',
        ...id,
        '--username',
        'cli-agent',
        '--password',
        password,
        '--identity-info',
        'FirstName=Cli,LastName=Agent',
        '--phone-config',
        'PhoneType=SOFT_PHONE,AutoAccept=false,AfterContactWorkTimeLimit=0',
        '--security-profile-ids',
        agentProfile,
        '--routing-profile-id',
        routingProfile,
      );
      assert.equal(r.code, 0, `create-user exited ${r.code}:\n${r.stderr}`);
      assert.ok(!r.stdout.includes(password));
      const created = JSON.parse(r.stdout);
      const d = await connect('describe-user', ...id, '--user-id', created.UserId);
      assert.equal(d.code, 0, d.stderr);
      assert.ok(!d.stdout.includes(password), 'describe-user must not show the password');
      assert.doesNotMatch(d.stdout, /password/i);
      const { User } = JSON.parse(d.stdout);
      assert.equal(User.Id, created.UserId);
      assert.equal(User.Arn, created.UserArn);
      assert.equal(User.Username, 'cli-agent');
      assert.deepEqual(User.IdentityInfo, { FirstName: 'Cli', LastName: 'Agent' });
      assert.deepEqual(User.SecurityProfileIds, [agentProfile]);
      assert.equal(User.RoutingProfileId, routingProfile);
    });

    test('create-contact-flow with a small valid flow', async () => {
      const content = JSON.stringify({
        Version: '2019-10-30',
        StartAction: 'hello',
        Actions: [
          {
            Identifier: 'hello',
            Type: 'MessageParticipant',
            Parameters: { Text: 'Hello from the CLI' },
            Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
          },
          { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
        ],
      });
      const created = await ok(
        'create-contact-flow',
        '--instance-id',
        node.instanceId,
        '--name',
        'CLI flow',
        '--type',
        'CONTACT_FLOW',
        '--content',
        content,
      );
      assert.match(created.ContactFlowId, /\S/);
      assert.match(created.ContactFlowArn, new RegExp(`/contact-flow/${created.ContactFlowId}$`));
    });

    test('a supervisor adds a queue, a routing profile and an agent; routing follows', async () => {
      const id = ['--instance-id', node.instanceId];
      const [hours, security] = await Promise.all([
        ok('list-hours-of-operations', ...id),
        ok('list-security-profiles', ...id),
      ]);
      const queue = await ok(
        'create-queue',
        ...id,
        '--name',
        'Support',
        '--hours-of-operation-id',
        hours.HoursOfOperationSummaryList[0].Id,
      );
      const profile = await ok(
        'create-routing-profile',
        ...id,
        '--name',
        'Support agents',
        '--description',
        'Chats in Support',
        '--default-outbound-queue-id',
        queue.QueueId,
        '--media-concurrencies',
        'Channel=CHAT,Concurrency=3',
        '--queue-configs',
        `QueueReference={QueueId=${queue.QueueId},Channel=CHAT},Priority=1,Delay=0`,
      );
      const user = await ok(
        'create-user',
        ...id,
        '--username',
        'support1',
        '--password',
        'Agent-Passw0rd',
        '--identity-info',
        'FirstName=Sam,LastName=Support',
        '--phone-config',
        'PhoneType=SOFT_PHONE',
        '--routing-profile-id',
        profile.RoutingProfileId,
        '--security-profile-ids',
        security.SecurityProfileSummaryList.find((p: { Name: string }) => p.Name === 'Agent').Id,
      );
      const flow = await ok(
        'create-contact-flow',
        ...id,
        '--name',
        'To Support',
        '--type',
        'CONTACT_FLOW',
        '--content',
        JSON.stringify({
          Version: '2019-10-30',
          StartAction: 'queue',
          Actions: [
            {
              Identifier: 'queue',
              Type: 'UpdateContactTargetQueue',
              Parameters: { QueueId: queue.QueueArn },
              Transitions: {
                NextAction: 'transfer',
                Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }],
              },
            },
            {
              Identifier: 'transfer',
              Type: 'TransferContactToQueue',
              Parameters: {},
              Transitions: {
                NextAction: 'end',
                Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'end' }],
              },
            },
            { Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
          ],
        }),
      );
      // The agent opens the workspace; the supervisor makes them Available from the CLI.
      const agent = new AgentClient(node.url);
      await agent.signIn('support1', 'Agent-Passw0rd');
      await agent.connect();
      try {
        const statuses = await ok('list-agent-statuses', ...id);
        const available = statuses.AgentStatusSummaryList.find(
          (s: { Name: string }) => s.Name === 'Available',
        );
        await ok('put-user-status', ...id, '--user-id', user.UserId, '--agent-status-id', available.Id);
        await agent.until((s) => s.status.name === 'Available');
        const chat = await ok(
          'start-chat-contact',
          ...id,
          '--contact-flow-id',
          flow.ContactFlowId,
          '--participant-details',
          'DisplayName=Jane',
        );
        await agent.offer(chat.ContactId);
        const metrics = await ok(
          'get-current-metric-data',
          ...id,
          '--filters',
          `Queues=${queue.QueueId},Channels=CHAT`,
          '--current-metrics',
          'Name=CONTACTS_IN_QUEUE,Unit=COUNT',
          'Name=AGENTS_ONLINE,Unit=COUNT',
        );
        const values = Object.fromEntries(
          metrics.MetricResults[0].Collections.map((c: { Metric: { Name: string }; Value: number }) => [
            c.Metric.Name,
            c.Value,
          ]),
        );
        assert.deepEqual(values, { CONTACTS_IN_QUEUE: 1, AGENTS_ONLINE: 1 });
      } finally {
        await agent.disconnect();
      }
    });
  });

  describe('errors and configuration', () => {
    test('an unknown instance id exits 254 with ResourceNotFoundException', async () => {
      const r = await connect('describe-instance', '--instance-id', '00000000-0000-4000-8000-000000000000');
      assert.equal(r.code, 254, `exit code ${r.code}:\n${r.stderr}`);
      assert.match(r.stderr, /ResourceNotFoundException/);
      assert.equal(r.stdout, '');
    });

    test('without --endpoint-url: endpoint_url from the generated config file', async (t: TestContext) => {
      const r = await run(
        ['connect', 'list-instances', '--cli-connect-timeout', '5', '--cli-read-timeout', '5'],
        { ...node.awsEnv, AWS_MAX_ATTEMPTS: '1' },
      );
      const version = (await run(['--version'], node.awsEnv)).stdout.trim();
      if (r.code === 0 && r.stdout.includes(node.instanceId)) {
        t.diagnostic(`${version} honours endpoint_url from the config file`);
        return;
      }
      // endpoint_url in the shared config file arrived in CLI 2.13; older CLIs go to AWS.
      t.diagnostic(
        `${version} does NOT honour endpoint_url from the config file (exit ${r.code}: ` +
          `${r.stderr.trim().split('\n').pop()}); pass --endpoint-url`,
      );
      assert.doesNotMatch(r.stderr, new RegExp(node.url.replace(/[.:/]/g, '\\$&')));
    });
  });
});

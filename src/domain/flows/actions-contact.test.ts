import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../ports/clock.ts';
import { FlowEngine } from './engine.ts';
import { ARN, FakeHost, queue } from './fixtures/fake-host.ts';
import { END, act, flowOf, say } from './fixtures/flows.ts';
import type { FlowDocument } from './flow-document.ts';

const targets = [say('ok', 'ok'), say('bad', 'bad'), say('true', 'True'), say('false', 'False'), END];
const errors = { NoMatchingError: 'bad' };

async function run(flow: FlowDocument, host = new FakeHost(), random = 0.5) {
  const clock = new ManualClock();
  const outcome = await new FlowEngine({ clock, random: () => random }).start(flow, host);
  return { outcome, host, clock };
}

const setAttributes = (Attributes: Record<string, string>, extra = {}) =>
  act(
    'set',
    'UpdateContactAttributes',
    { Attributes, TargetContact: 'Current', ...extra },
    { then: 'ok', errors },
  );

test('UpdateContactAttributes sets static and dynamic values in one call', async () => {
  const host = new FakeHost({ attributes: { tier: 'gold', keyName: 'dyn', old: 'x' }, name: 'Web' });
  await run(
    flowOf(
      setAttributes({
        entryPoint: 'web',
        copy: '$.Attributes.tier',
        greeting: 'Hi $.Name',
        '$.Attributes.keyName': 'v',
        old: '$.Attributes.none',
      }),
      ...targets,
    ),
    host,
  );
  assert.deepEqual(
    host.calls.filter((c) => c[0] === 'updateAttributes'),
    [['updateAttributes', { entryPoint: 'web', copy: 'gold', greeting: 'Hi Web', dyn: 'v', old: '' }]],
  );
  assert.deepEqual(
    host.contactView.attributes,
    { tier: 'gold', keyName: 'dyn', entryPoint: 'web', copy: 'gold', greeting: 'Hi Web', dyn: 'v' },
    '"" removes',
  );
  assert.deepEqual(host.messages, ['ok']);
});

test('UpdateContactAttributes is all or nothing: over 32 KB takes NoMatchingError and changes nothing', async () => {
  const host = new FakeHost({ attributes: { a: '1' } });
  await run(flowOf(setAttributes({ small: 'x', big: 'y'.repeat(33_000) }), ...targets), host);
  assert.deepEqual(host.contactView.attributes, { a: '1' });
  assert.deepEqual(host.messages, ['bad']);
});

test('UpdateContactAttributes: a key that names nothing and TargetContact Related take NoMatchingError', async () => {
  const host = new FakeHost();
  await run(flowOf(setAttributes({ '$.Attributes.missing': 'v' }), ...targets), host);
  await run(flowOf(setAttributes({ a: 'b' }, { TargetContact: 'Related' }), ...targets), host);
  assert.deepEqual(host.messages, ['bad', 'bad']);
  assert.deepEqual(
    host.effects.filter((e) => e === 'updateAttributes'),
    [],
  );
});

test('Compare branches on the value; a value that names nothing compares as ""', async () => {
  const cmp = (value: string) =>
    flowOf(
      act(
        'cmp',
        'Compare',
        { ComparisonValue: value },
        {
          then: 'bad',
          errors: { NoMatchingCondition: 'false' },
          conditions: [
            ['Equals', 'gold', 'true'],
            ['NumberGreaterThan', '10', 'ok'],
          ],
        },
      ),
      ...targets,
    );
  const host = new FakeHost({ attributes: { tier: 'gold', count: '12', small: '9' } });
  for (const v of ['$.Attributes.tier', '$.Attributes.count', '$.Attributes.small', '$.Attributes.missing'])
    await run(cmp(v), host);
  assert.deepEqual(host.messages, ['True', 'ok', 'False', 'False']);
});

test('DistributeByPercentage draws 1–100 from the random source and takes the first bound it is under', async () => {
  const flow = flowOf(
    act(
      'dist',
      'DistributeByPercentage',
      {},
      {
        then: 'bad',
        errors: { NoMatchingCondition: 'false' },
        conditions: [
          ['NumberLessThan', '21', 'true'],
          ['NumberLessThan', '51', 'ok'],
        ],
      },
    ),
    ...targets,
  );
  const cases: [number, string][] = [
    [0, 'True'],
    [0.19, 'True'],
    [0.2, 'ok'],
    [0.4999, 'ok'],
    [0.5, 'False'],
    [0.999999, 'False'],
    [1, 'False'],
  ];
  for (const [r, expected] of cases) {
    const { host } = await run(flow, new FakeHost(), r);
    assert.deepEqual(host.messages, [expected], String(r));
  }
});

test('CheckHoursOfOperation answers True or False for now, for named hours or the queue’s', async () => {
  const hours = (p: Record<string, unknown>) =>
    flowOf(
      act('hours', 'CheckHoursOfOperation', p, {
        then: 'bad',
        errors,
        conditions: [
          ['Equals', 'True', 'true'],
          ['Equals', 'False', 'false'],
        ],
      }),
      ...targets,
    );
  const host = new FakeHost({ attributes: { h: 'night' } });
  host.hours.set('day', true).set('night', false).set('', true);
  const { clock } = await run(hours({ HoursOfOperationId: 'day' }), host);
  assert.deepEqual(
    host.calls.find((c) => c[0] === 'isWithinHours'),
    ['isWithinHours', 'day', clock.now()],
  );
  await run(hours({ HoursOfOperationId: '$.Attributes.h' }), host);
  await run(hours({}), host); // no queue yet
  host.contactView.queue = queue('BasicQueue');
  await run(hours({}), host);
  await run(hours({ HoursOfOperationId: 'unknown' }), host);
  await run(hours({ HoursOfOperationId: '$.Attributes.none' }), host);
  host.failing.add('isWithinHours');
  await run(hours({ HoursOfOperationId: 'day' }), host);
  assert.deepEqual(host.messages, ['True', 'False', 'bad', 'True', 'bad', 'bad', 'bad']);
});

test('UpdateContactTargetQueue sets a queue by id, ARN, JSONPath or agent', async () => {
  const setQueue = (p: Record<string, unknown>) =>
    flowOf(
      act('q', 'UpdateContactTargetQueue', p, { then: 'name', errors }),
      say('name', 'Queue $.Queue.Name $.Queue.ARN', 'end'),
      ...targets,
    );
  const host = new FakeHost({ attributes: { q: 'q-standard' } });
  host.agents.set('u-1', queue('agent-u-1'));
  await run(setQueue({ QueueId: `${ARN}/queue/priority` }), host);
  await run(setQueue({ QueueId: '$.Attributes.q' }), host);
  await run(setQueue({ AgentId: 'u-1' }), host);
  assert.deepEqual(host.messages, [
    `Queue priority ${ARN}/queue/priority`,
    `Queue standard ${ARN}/queue/standard`,
    `Queue agent-u-1 ${ARN}/queue/agent-u-1`,
  ]);
  assert.deepEqual(
    host.calls.filter((c) => c[0] === 'resolveQueue').map((c) => c[1]),
    [{ queue: `${ARN}/queue/priority` }, { queue: 'q-standard' }, { agent: 'u-1' }],
  );
});

test('UpdateContactTargetQueue: an unknown queue or agent, or a JSONPath to nothing, takes NoMatchingError', async () => {
  const host = new FakeHost();
  for (const p of [{ QueueId: 'nope' }, { AgentId: 'nobody' }, { QueueId: '$.Attributes.none' }])
    await run(flowOf(act('q', 'UpdateContactTargetQueue', p, { then: 'ok', errors }), ...targets), host);
  host.failing.add('setTargetQueue');
  await run(
    flowOf(
      act('q', 'UpdateContactTargetQueue', { QueueId: 'q-standard' }, { then: 'ok', errors }),
      ...targets,
    ),
    host,
  );
  assert.deepEqual(host.messages, ['bad', 'bad', 'bad', 'bad']);
  assert.equal(host.contactView.queue, undefined);
});

test('TransferContactToQueue: queued ends the flow; at capacity, no queue or a failure branch', async () => {
  const transfer = flowOf(
    act(
      't',
      'TransferContactToQueue',
      {},
      { then: 'ok', errors: { QueueAtCapacity: 'false', NoMatchingError: 'bad' } },
    ),
    ...targets,
  );
  const host = new FakeHost();
  assert.equal((await run(transfer, host)).outcome.status, 'ended');
  assert.deepEqual(host.messages, ['bad'], 'no TargetQueue');
  host.contactView.queue = queue('BasicQueue');
  assert.deepEqual((await run(transfer, host)).outcome, { status: 'ended', reason: 'queued', actionId: 't' });
  host.transferResult = 'QueueAtCapacity';
  await run(transfer, host);
  host.failing.add('transferToQueue');
  await run(transfer, host);
  assert.deepEqual(host.messages, ['bad', 'False', 'bad']);
});

test('DisconnectParticipant disconnects; EndFlowExecution ends the flow and leaves the contact to the host', async () => {
  const host = new FakeHost();
  assert.deepEqual((await run(flowOf(END), host)).outcome, {
    status: 'ended',
    reason: 'disconnected',
    actionId: 'end',
  });
  assert.deepEqual(host.effects, ['disconnect']);
  const queueFlow = flowOf(say('next', 'You are next in line.', 'stop'), act('stop', 'EndFlowExecution'));
  assert.deepEqual((await run(queueFlow, host)).outcome, {
    status: 'ended',
    reason: 'endFlow',
    actionId: 'stop',
  });
  assert.deepEqual(host.effects, ['disconnect', 'sendMessage']);
  host.failing.add('disconnect');
  assert.deepEqual((await run(flowOf(END), host)).outcome, {
    status: 'ended',
    reason: 'noNextAction',
    actionId: 'end',
    error: 'NoMatchingError: Disconnecting failed: disconnect is broken',
  });
});

test('UpdateContactRecordingBehavior and UpdateContactEventHooks are stored through the host', async () => {
  const host = new FakeHost({ attributes: { disconnectFlow: 'flow-9' } });
  const settings = {
    RecordingBehavior: { RecordedParticipants: ['Agent', 'Customer'] },
    AnalyticsBehavior: { Enabled: 'True', AnalyticsLanguage: 'en-US' },
  };
  await run(
    flowOf(
      act('rec', 'UpdateContactRecordingBehavior', settings, { then: 'hook' }),
      act(
        'hook',
        'UpdateContactEventHooks',
        { EventHooks: { CustomerQueue: `${ARN}/contact-flow/queue-music` } },
        { then: 'hook2', errors },
      ),
      act(
        'hook2',
        'UpdateContactEventHooks',
        { EventHooks: { CustomerRemaining: '$.Attributes.disconnectFlow' } },
        { then: 'hook3', errors },
      ),
      act(
        'hook3',
        'UpdateContactEventHooks',
        { EventHooks: { CustomerHold: '$.Attributes.none' } },
        { then: 'ok', errors },
      ),
      ...targets,
    ),
    host,
  );
  assert.deepEqual(host.recording, settings);
  assert.deepEqual(host.hooks, {
    CustomerQueue: `${ARN}/contact-flow/queue-music`,
    CustomerRemaining: 'flow-9',
  });
  assert.deepEqual(host.messages, ['bad'], 'a hook whose flow names nothing');
  host.failing.add('setEventHook');
  await run(
    flowOf(
      act('hook', 'UpdateContactEventHooks', { EventHooks: { CustomerQueue: 'f' } }, { then: 'ok', errors }),
      ...targets,
    ),
    host,
  );
  assert.deepEqual(host.messages, ['bad', 'bad']);
});

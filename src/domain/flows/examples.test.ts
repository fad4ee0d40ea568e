import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../ports/clock.ts';
import { defaultInboundFlow } from '../instances/instance-defaults.ts';
import { FlowEngine } from './engine.ts';
import { ARN, FakeHost } from './fixtures/fake-host.ts';
import { SPEC_EXAMPLE, asDesignerExport, uuidFor } from './fixtures/spec-example.ts';
import { parseFlow, type FlowDocument } from './flow-document.ts';
import type { RunOutcome, RunState } from './types.ts';

function parsed(content: string): FlowDocument {
  const { flow, problems } = parseFlow(content);
  assert.deepEqual(problems, []);
  return flow as FlowDocument;
}

const HOURS = '11111111-2222-4333-8444-555555555555';
const basicQueueArn = `${ARN}/queue/BasicQueue`;

test('the default inbound flow greets the customer and queues the chat in BasicQueue', async () => {
  const host = new FakeHost();
  const outcome = await new FlowEngine({ clock: new ManualClock() }).start(
    parsed(defaultInboundFlow(basicQueueArn)),
    host,
  );
  assert.deepEqual(outcome, { status: 'ended', reason: 'queued', actionId: 'transfer' });
  assert.deepEqual(host.messages, ['Thanks for contacting us. An agent will be with you shortly.']);
  assert.deepEqual(host.effects, ['sendMessage', 'resolveQueue', 'setTargetQueue', 'transferToQueue']);
  assert.deepEqual(
    host.calls.find((c) => c[0] === 'transferToQueue'),
    ['transferToQueue', 'BasicQueue'],
  );
});

test('the default inbound flow apologises and disconnects when BasicQueue is full or gone', async () => {
  for (const breakIt of [
    (h: FakeHost) => (h.transferResult = 'QueueAtCapacity'),
    (h: FakeHost) => h.queues.splice(0),
  ]) {
    const host = new FakeHost();
    breakIt(host);
    const outcome = await new FlowEngine({ clock: new ManualClock() }).start(
      parsed(defaultInboundFlow(basicQueueArn)),
      host,
    );
    assert.deepEqual(outcome, { status: 'ended', reason: 'disconnected', actionId: 'end' });
    assert.equal(host.messages.at(-1), 'We cannot take your chat right now. Please try again later.');
  }
});

/** The spec §5 flow, as written and as the designer exports it (UUIDs, layout Metadata). */
const variants: [string, FlowDocument, (id: string) => string][] = [
  ['hand-written', parsed(SPEC_EXAMPLE), (id) => id],
  ['designer export', parsed(JSON.stringify(asDesignerExport(JSON.parse(SPEC_EXAMPLE)))), uuidFor],
];

function world(tier?: string) {
  const host = new FakeHost({ attributes: tier ? { tier } : {} });
  host.hours.set(HOURS, true);
  const clock = new ManualClock();
  return { host, clock };
}

const welcome = 'Welcome! Give us a moment to find the right person.';

for (const [name, flow, id] of variants) {
  test(`§5 (${name}): a gold customer in hours is queued in the priority queue with hooks and recording`, async () => {
    const { host, clock } = world('gold');
    const outcome = await new FlowEngine({ clock, random: () => 0.5 }).start(flow, host);
    assert.deepEqual(outcome, { status: 'ended', reason: 'queued', actionId: id('enqueue') });
    assert.deepEqual(host.messages, [welcome]);
    assert.deepEqual(host.contactView.attributes, { tier: 'gold', entryPoint: 'web' });
    assert.equal(host.contactView.queue?.name, 'priority');
    assert.deepEqual(host.hooks, { CustomerQueue: `${ARN}/contact-flow/queue-music` });
    assert.deepEqual(host.recording, { RecordingBehavior: { RecordedParticipants: ['Agent', 'Customer'] } });
    assert.deepEqual(host.effects, [
      'updateAttributes',
      'sendMessage',
      'isWithinHours',
      'resolveQueue',
      'setTargetQueue',
      'setEventHook',
      'setRecordingBehavior',
      'transferToQueue',
    ]);
  });

  test(`§5 (${name}): no tier goes to the standard queue; the 10% sample tries the Lambda, which is not run`, async () => {
    for (const random of [0.5, 0.05]) {
      const { host, clock } = world();
      const outcome = await new FlowEngine({ clock, random: () => random }).start(flow, host);
      assert.deepEqual(outcome, { status: 'ended', reason: 'queued', actionId: id('enqueue') });
      assert.equal(host.contactView.queue?.name, 'standard');
      assert.deepEqual(
        host.contactView.attributes,
        { entryPoint: 'web' },
        'tier: "$.Attributes.tier" sets nothing',
      );
    }
  });

  test(`§5 (${name}): out of hours the customer is told and disconnected`, async () => {
    const { host, clock } = world('gold');
    host.hours.set(HOURS, false);
    const outcome = await new FlowEngine({ clock }).start(flow, host);
    assert.deepEqual(outcome, { status: 'ended', reason: 'disconnected', actionId: id('bye') });
    assert.deepEqual(host.messages, [
      welcome,
      'We are closed right now. Please come back during business hours.',
    ]);
  });

  test(`§5 (${name}): a full queue waits 5 minutes, survives a restart, and retries`, async () => {
    const { host, clock } = world('gold');
    host.transferResult = 'QueueAtCapacity';
    const engine = new FlowEngine({ clock, random: () => 0.5 });
    const first = await engine.start(flow, host);
    assert.equal(first.status, 'waiting');
    const { state, wakeAt } = first as Extract<RunOutcome, { status: 'waiting' }>;
    assert.equal(wakeAt, clock.now() + 300_000);
    assert.equal(state.actionId, id('hold-on'));
    assert.equal(host.messages.at(-1), 'Everyone is busy. Stay here and we will try again shortly.');
    const saved = JSON.stringify(state);

    // The timer fires after a restart: a new engine, the state from storage. Still full.
    clock.advance(300_000);
    const again = await new FlowEngine({ clock }).resume(
      JSON.parse(saved) as RunState,
      { kind: 'timer' },
      host,
    );
    assert.equal(again.status, 'waiting', 'full again: waits again');
    assert.equal(host.effects.filter((e) => e === 'transferToQueue').length, 2);

    // The customer comes back while the queue has room.
    host.transferResult = 'OK';
    const { state: s2 } = again as Extract<RunOutcome, { status: 'waiting' }>;
    const done = await engine.resume(s2, { kind: 'event', name: 'CustomerReturned' }, host);
    assert.deepEqual(done, { status: 'ended', reason: 'queued', actionId: id('enqueue') });
  });
}

test('§5: the minimal customer-queue flow says its line and ends without disconnecting', async () => {
  const host = new FakeHost();
  const content = JSON.stringify({
    Version: '2019-10-30',
    StartAction: 'next',
    Actions: [
      {
        Identifier: 'next',
        Type: 'MessageParticipant',
        Parameters: { Text: 'You are next in line.' },
        Transitions: { NextAction: 'end' },
      },
      { Identifier: 'end', Type: 'EndFlowExecution', Parameters: {}, Transitions: {} },
    ],
  });
  const outcome = await new FlowEngine({ clock: new ManualClock() }).start(parsed(content), host);
  assert.deepEqual(outcome, { status: 'ended', reason: 'endFlow', actionId: 'end' });
  assert.deepEqual(host.effects, ['sendMessage']);
});

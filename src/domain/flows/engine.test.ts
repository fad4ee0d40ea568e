import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../ports/clock.ts';
import { FlowEngine } from './engine.ts';
import { FakeHost } from './fixtures/fake-host.ts';
import { END, act, flowOf, say, JUNK_PARAMETERS } from './fixtures/flows.ts';
import type { RunOutcome, RunState } from './types.ts';

const setup = (random = 0.5, maxActionsPerRun?: number) => {
  const clock = new ManualClock();
  return {
    clock,
    host: new FakeHost(),
    engine: new FlowEngine({ clock, random: () => random, maxActionsPerRun }),
  };
};

function waitingState(outcome: RunOutcome): RunState {
  assert.equal(outcome.status, 'waiting', JSON.stringify(outcome));
  return (outcome as Extract<RunOutcome, { status: 'waiting' }>).state;
}

const tier = (conditions: [string, string, string][], errors?: Record<string, string>) =>
  act('cmp', 'Compare', { ComparisonValue: '$.Attributes.tier' }, { then: 'dflt', conditions, errors });
const branches = [
  say('first', 'first'),
  say('second', 'second'),
  say('nomatch', 'nomatch'),
  say('dflt', 'default'),
  END,
];

test('conditions are tried in order and the first true one wins', async () => {
  const { engine, host } = setup();
  host.contactView.attributes = { tier: 'gold' };
  const flow = flowOf(
    tier([
      ['TextContains', 'ol', 'first'],
      ['Equals', 'gold', 'second'],
    ]),
    ...branches,
  );
  assert.deepEqual(await engine.start(flow, host), {
    status: 'ended',
    reason: 'disconnected',
    actionId: 'end',
  });
  assert.deepEqual(host.messages, ['first']);
});

test('no true condition takes NoMatchingCondition, else the default NextAction', async () => {
  const { engine, host } = setup();
  host.contactView.attributes = { tier: 'bronze' };
  const conditions: [string, string, string][] = [['Equals', 'gold', 'first']];
  await engine.start(flowOf(tier(conditions, { NoMatchingCondition: 'nomatch' }), ...branches), host);
  await engine.start(flowOf(tier(conditions), ...branches), host);
  assert.deepEqual(host.messages, ['nomatch', 'default']);
});

test('an error takes its own ErrorType, else NoMatchingError', async () => {
  const { engine, host } = setup();
  host.contactView.queue = host.queues[0];
  host.transferResult = 'QueueAtCapacity';
  const transfer = (errors: Record<string, string>) =>
    act('t', 'TransferContactToQueue', {}, { then: 'dflt', errors });
  await engine.start(
    flowOf(transfer({ QueueAtCapacity: 'first', NoMatchingError: 'second' }), ...branches),
    host,
  );
  await engine.start(flowOf(transfer({ NoMatchingError: 'second' }), ...branches), host);
  assert.deepEqual(host.messages, ['first', 'second']);
});

test('an error nothing handles ends the flow, saying why; the host then ends the contact', async () => {
  const { engine, host } = setup();
  host.transferResult = 'QueueAtCapacity';
  host.contactView.queue = host.queues[0];
  const outcome = await engine.start(
    flowOf(act('t', 'TransferContactToQueue', {}, { then: 'dflt' }), ...branches),
    host,
  );
  assert.deepEqual(outcome, {
    status: 'ended',
    reason: 'noNextAction',
    actionId: 't',
    error: 'QueueAtCapacity: Queue BasicQueue is at capacity',
  });
  assert.deepEqual(host.messages, [], 'NextAction is not taken on error');
});

test('an action with no NextAction ends the flow', async () => {
  const { engine, host } = setup();
  const outcome = await engine.start(flowOf(act('only', 'MessageParticipant', { Text: 'Bye' })), host);
  assert.deepEqual(outcome, { status: 'ended', reason: 'noNextAction', actionId: 'only' });
  assert.deepEqual(host.messages, ['Bye']);
});

test('a loop without waits is stopped after the bound and reported', async () => {
  const { engine, host } = setup();
  const flow = flowOf(
    act('ping', 'UpdateContactAttributes', { Attributes: { n: 'x' } }, { then: 'pong' }),
    act('pong', 'Compare', { ComparisonValue: '$.Channel' }, { then: 'ping' }),
  );
  const outcome = await engine.start(flow, host);
  assert.equal(outcome.status, 'failed');
  assert.match((outcome as { error: string }).error, /ran 1000 actions without waiting/);
  assert.equal(host.calls.filter((c) => c[0] === 'contact').length, 1000);
  const small = setup(0.5, 3);
  assert.equal((await small.engine.start(flow, small.host)).status, 'failed');
  assert.deepEqual(small.host.effects, ['updateAttributes', 'updateAttributes']);
});

test('a loop through a wait gets a fresh bound at every resume', async () => {
  const { engine, host } = setup(0.5, 3);
  const flow = flowOf(
    act(
      'ask',
      'GetParticipantInput',
      { Text: 'Again?' },
      { then: 'ask', errors: { NoMatchingError: 'end' } },
    ),
    END,
  );
  let state = waitingState(await engine.start(flow, host));
  for (let i = 0; i < 10; i++)
    state = waitingState(await engine.resume(state, { kind: 'customerMessage', text: 'x' }, host));
  assert.equal(host.messages.length, 11);
});

test('broken flows and states fail the run instead of throwing', async () => {
  const { engine, host } = setup();
  const cases: [string, Promise<RunOutcome>, RegExp][] = [
    ['no actions', engine.start({} as never, host), /no Actions/],
    ['no start', engine.start({ ...flowOf(END), StartAction: 'gone' }, host), /no action "gone"/],
    ['missing target', engine.start(flowOf(say('a', 'A', 'gone')), host), /no action "gone"/],
    // Attributes missing: the action module itself throws (a flow that skipped validation).
    [
      'action throws',
      engine.start(flowOf(act('bad', 'UpdateContactAttributes', {}, { then: 'end' }), END), host),
      /Action bad failed unexpectedly/,
    ],
    ['garbage state', engine.resume({ version: 2 } as never, { kind: 'timer' }, host), /not a waiting run/],
    ['null state', engine.resume(null as never, { kind: 'timer' }, host), /not a waiting run/],
  ];
  for (const [name, promise, error] of cases) {
    const outcome = await promise;
    assert.equal(outcome.status, 'failed', name);
    assert.match((outcome as { error: string }).error, error, name);
  }
});

test('a host that cannot read the contact fails the run; a failing effect takes the error branch', async () => {
  const { engine, host } = setup();
  const flow = flowOf(say('hello', 'Hi', 'end'), END);
  host.failing.add('contact');
  assert.deepEqual(await engine.start(flow, host), {
    status: 'failed',
    error: 'Action hello failed unexpectedly: contact is broken',
    actionId: 'hello',
  });
  host.failing.clear();
  host.failing.add('sendMessage');
  assert.deepEqual(
    await engine.start(
      flowOf(say('hello', 'Hi', 'bye'), act('bye', 'MessageParticipant', { Text: 'never' }), END),
      host,
    ),
    {
      status: 'ended',
      reason: 'noNextAction',
      actionId: 'bye',
      error: 'NoMatchingError: Sending the message failed: sendMessage is broken',
    },
  );
});

test('types the engine does not run take the NoMatchingError branch', async () => {
  const { engine, host } = setup();
  for (const Type of ['InvokeLambdaFunction', 'SomethingNew']) {
    await engine.start(
      flowOf(act('x', Type, {}, { then: 'first', errors: { NoMatchingError: 'second' } }), ...branches),
      host,
    );
  }
  assert.deepEqual(host.messages, ['second', 'second']);
});

test('a waiting run is plain JSON: stringify, parse, resume', async () => {
  const { engine, host, clock } = setup();
  const flow = flowOf(
    act(
      'ask',
      'GetParticipantInput',
      {
        Text: 'Your number?',
        StoreInput: 'True',
        InputTimeLimitSeconds: '60',
        InputValidation: { PhoneNumberValidation: { NumberFormat: 'E164' } },
      },
      { then: 'thanks', errors: { NoMatchingError: 'end' } },
    ),
    say('thanks', 'We will call $.StoredCustomerInput'),
    END,
  );
  const outcome = await engine.start(flow, host, { flowId: 'flow-1' });
  const state = waitingState(outcome);
  assert.equal((outcome as { wakeAt: number }).wakeAt, clock.now() + 60_000);
  const stored = JSON.stringify(state);
  assert.deepEqual(JSON.parse(stored), state, 'nothing is lost in JSON');
  assert.equal(state.flowId, 'flow-1');
  clock.advance(30_000);
  const restored = JSON.parse(stored) as RunState;
  const done = await new FlowEngine({ clock }).resume(
    restored,
    { kind: 'customerMessage', text: '+1 206 555 0100' },
    new FakeHost(),
  );
  assert.deepEqual(done, { status: 'ended', reason: 'disconnected', actionId: 'end' });
  assert.equal(JSON.stringify(restored), stored, 'resume does not change the state it was given');
});

test('a resumed run continues with its own flow snapshot, not a later version', async () => {
  const { engine, host } = setup();
  const flow = flowOf(
    act('ask', 'GetParticipantInput', { Text: 'Go?' }, { then: 'a', errors: { NoMatchingError: 'end' } }),
    say('a', 'old'),
    END,
  );
  const state = waitingState(await engine.start(flow, host));
  (flow.Actions[1].Parameters as { Text: string }).Text = 'new';
  await engine.resume(JSON.parse(JSON.stringify(state)), { kind: 'customerMessage', text: 'y' }, host);
  assert.deepEqual(host.messages, ['Go?', 'old']);
});

test('resuming an action that does not wait fails cleanly', async () => {
  const { engine, host } = setup();
  const state: RunState = {
    version: 1,
    flow: flowOf(say('a', 'A'), END),
    actionId: 'a',
    wait: { kind: 'input' },
    flowAttributes: {},
    external: {},
  };
  const outcome = await engine.resume(state, { kind: 'customerMessage', text: 'x' }, host);
  assert.deepEqual(outcome, { status: 'failed', error: 'Action a does not wait' });
});

test('the engine never throws, whatever an unvalidated flow holds', async () => {
  const { ACTIONS } = await import('./actions/index.ts');
  const { engine, host } = setup();
  const keys = [
    'Text',
    'PromptId',
    'StoreInput',
    'InputValidation',
    'InputTimeLimitSeconds',
    'Attributes',
    'TargetContact',
    'ComparisonValue',
    'HoursOfOperationId',
    'TimeoutSeconds',
    'Events',
    'QueueId',
    'AgentId',
    'RecordingBehavior',
    'EventHooks',
  ];
  const statuses = new Set<string>();
  for (const type of ACTIONS.keys())
    for (const key of keys)
      for (const value of JUNK_PARAMETERS) {
        const flow = flowOf(
          {
            Identifier: 'x',
            Type: type,
            Parameters: { [key]: value, StoreInput: 'True' },
            Transitions: { Conditions: [null] },
          } as never,
          END,
        );
        let outcome = await engine.start(flow, host);
        statuses.add(outcome.status);
        if (outcome.status === 'waiting') {
          outcome = await engine.resume(outcome.state, { kind: 'customerMessage', text: 'hi' }, host);
          statuses.add(outcome.status);
        }
      }
  assert.deepEqual([...statuses].sort(), ['ended', 'failed', 'waiting']);
});

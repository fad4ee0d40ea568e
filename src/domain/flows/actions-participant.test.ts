import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../ports/clock.ts';
import { FlowEngine } from './engine.ts';
import { FakeHost } from './fixtures/fake-host.ts';
import { END, act, flowOf, say } from './fixtures/flows.ts';
import type { FlowDocument } from './flow-document.ts';
import type { FlowEvent, RunOutcome, RunState } from './types.ts';

const setup = () => {
  const clock = new ManualClock();
  return { clock, host: new FakeHost(), engine: new FlowEngine({ clock }) };
};
const ok = say('ok', 'ok');
const bad = say('bad', 'bad');
const timeout = say('timeout', 'timeout');
const targets = [ok, bad, timeout, say('one', 'one'), say('two', 'two'), say('other', 'other'), END];

function waiting(outcome: RunOutcome): { state: RunState; wakeAt?: number } {
  assert.equal(outcome.status, 'waiting', JSON.stringify(outcome));
  return outcome as { state: RunState; wakeAt?: number };
}

test('MessageParticipant sends its Text, with references filled in, as one message', async () => {
  const { engine, host } = setup();
  host.contactView.attributes = { firstName: 'Ada' };
  await engine.start(flowOf(say('hi', 'Hi $.Attributes.firstName, you are on $.Channel.'), END), host);
  assert.deepEqual(host.messages, ['Hi Ada, you are on CHAT.']);
  assert.deepEqual(host.effects, ['sendMessage', 'disconnect']);
});

test('MessageParticipant: voice-only prompts, empty text and a failing send take NoMatchingError', async () => {
  const { engine, host } = setup();
  const mp = (p: Record<string, unknown>) =>
    act('m', 'MessageParticipant', p, { then: 'ok', errors: { NoMatchingError: 'bad' } });
  for (const p of [
    { PromptId: 'p-1' },
    { SSML: '<speak>Hi</speak>' },
    { Media: { Uri: 's3://b/k', SourceType: 'S3', MediaType: 'Audio' } },
    { Text: '$.Attributes.none' },
  ])
    await engine.start(flowOf(mp(p), ...targets), host);
  assert.deepEqual(host.messages, ['bad', 'bad', 'bad', 'bad']);
  host.failing.add('sendMessage');
  await engine.start(flowOf(mp({ Text: 'Hi' }), ...targets), host);
  assert.deepEqual(
    host.effects.slice(-3),
    ['sendMessage', 'sendMessage', 'disconnect'],
    'Hi, then bad, both failing',
  );
});

const input = (params: Record<string, unknown>, t: Parameters<typeof act>[3] = {}) =>
  act(
    'ask',
    'GetParticipantInput',
    { Text: 'Press 1 or 2', ...params },
    { then: 'other', ...t, errors: { NoMatchingError: 'bad', ...t.errors } },
  );

async function answer(flow: FlowDocument, ...events: FlowEvent[]) {
  const { engine, host, clock } = setup();
  let outcome = await engine.start(flow, host);
  for (const event of events) {
    if (event.kind === 'timer') clock.advance(10 * 60_000);
    outcome = await engine.resume(waiting(outcome).state, event, host);
  }
  return { outcome, host, clock };
}

test('GetParticipantInput StoreInput=False: the message, trimmed, is tested by the Equals conditions', async () => {
  const flow = flowOf(
    input(
      { StoreInput: 'False' },
      {
        conditions: [
          ['Equals', '1', 'one'],
          ['Equals', '2', 'two'],
        ],
        errors: { NoMatchingCondition: 'bad' },
      },
    ),
    ...targets,
  );
  for (const [text, expected] of [
    ['1', 'one'],
    [' 2\n', 'two'],
    ['3', 'bad'],
    ['12', 'bad'],
  ]) {
    const { host } = await answer(flow, { kind: 'customerMessage', text });
    assert.deepEqual(host.messages, ['Press 1 or 2', expected], text);
  }
});

test('GetParticipantInput waits for a message; events and early timers leave it waiting', async () => {
  const { engine, host, clock } = setup();
  const flow = flowOf(
    input({ InputTimeLimitSeconds: '30' }, { conditions: [['Equals', '1', 'one']] }),
    ...targets,
  );
  const first = waiting(await engine.start(flow, host));
  assert.deepEqual(first.state.wait, { kind: 'input', deadline: clock.now() + 30_000 });
  assert.equal(first.wakeAt, clock.now() + 30_000);
  clock.advance(29_999);
  assert.deepEqual(await engine.resume(first.state, { kind: 'timer' }, host), first);
  assert.deepEqual(
    await engine.resume(first.state, { kind: 'event', name: 'CustomerReturned' }, host),
    first,
  );
  await engine.resume(first.state, { kind: 'customerMessage', text: '1' }, host);
  assert.deepEqual(host.messages, ['Press 1 or 2', 'one']);
});

test('GetParticipantInput timeout: InputTimeLimitExceeded when the flow has it, else NoMatchingError', async () => {
  const withBranch = flowOf(
    input({ InputTimeLimitSeconds: '5' }, { errors: { InputTimeLimitExceeded: 'timeout' } }),
    ...targets,
  );
  assert.deepEqual((await answer(withBranch, { kind: 'timer' })).host.messages, ['Press 1 or 2', 'timeout']);
  const without = flowOf(input({ InputTimeoutSeconds: '5' }), ...targets);
  assert.deepEqual((await answer(without, { kind: 'timer' })).host.messages, ['Press 1 or 2', 'bad']);
  // A message that arrives after the deadline (the timer was lost in a restart) is too late.
  const { engine, host, clock } = setup();
  const w = waiting(await engine.start(withBranch, host));
  clock.advance(5_000);
  await engine.resume(w.state, { kind: 'customerMessage', text: '1' }, host);
  assert.equal(host.messages.at(-1), 'timeout');
});

test('GetParticipantInput without a time limit waits with no deadline', async () => {
  const { engine, host, clock } = setup();
  const w = waiting(await engine.start(flowOf(input({}), ...targets), host));
  assert.equal(w.wakeAt, undefined);
  clock.advance(7 * 86_400_000);
  assert.equal((await engine.resume(w.state, { kind: 'timer' }, host)).status, 'waiting');
});

test('GetParticipantInput StoreInput=True stores the message in $.StoredCustomerInput', async () => {
  const flow = flowOf(
    input(
      {
        StoreInput: 'True',
        Text: 'Order number?',
        InputValidation: { CustomValidation: { MaximumLength: '8' } },
      },
      { then: 'echo' },
    ),
    say('echo', 'Looking up $.StoredCustomerInput'),
    ...targets,
  );
  const { host, outcome } = await answer(flow, { kind: 'customerMessage', text: ' A-123 ' });
  assert.deepEqual(host.messages, ['Order number?', 'Looking up A-123']);
  assert.equal(outcome.status, 'ended');
  const tooLong = await answer(flow, { kind: 'customerMessage', text: '123456789' });
  assert.deepEqual(tooLong.host.messages, ['Order number?', 'bad']);
});

test('GetParticipantInput phone validation: valid numbers are stored, others take InvalidPhoneNumber', async () => {
  const phone = (format: string, errors: Record<string, string>) =>
    flowOf(
      input(
        {
          StoreInput: 'True',
          Text: 'Number?',
          InputValidation: { PhoneNumberValidation: { NumberFormat: format, CountryCode: 'US' } },
        },
        { then: 'echo', errors },
      ),
      say('echo', 'Calling $.StoredCustomerInput'),
      ...targets,
    );
  const e164 = phone('E164', { InvalidPhoneNumber: 'timeout' });
  const cases: [FlowDocument, string, string][] = [
    [e164, '+1 (206) 555-0100', 'Calling +12065550100'],
    [e164, '206-555-0100', 'timeout'],
    [e164, 'call me', 'timeout'],
    [phone('E164', {}), '12', 'bad'],
    [phone('Local', {}), '206 555 0100', 'Calling 2065550100'],
    [phone('Local', { InvalidPhoneNumber: 'timeout' }), '+12065550100', 'timeout'],
  ];
  for (const [flow, text, expected] of cases) {
    const { host } = await answer(flow, { kind: 'customerMessage', text });
    assert.equal(host.messages.at(-1), expected, text);
  }
});

test('GetParticipantInput: encryption and voice-only prompts take NoMatchingError', async () => {
  const enc = input({
    StoreInput: 'True',
    InputValidation: { CustomValidation: { MaximumLength: '4' } },
    InputEncryption: { EncryptionKeyId: 'k', Key: 'pem' },
  });
  assert.deepEqual(
    (await answer(flowOf(enc, ...targets), { kind: 'customerMessage', text: '1234' })).host.messages,
    ['Press 1 or 2', 'bad'],
  );
  const { engine, host } = setup();
  const outcome = await engine.start(
    flowOf(
      act(
        'ask',
        'GetParticipantInput',
        { PromptId: 'p' },
        { then: 'ok', errors: { NoMatchingError: 'bad' } },
      ),
      ...targets,
    ),
    host,
  );
  assert.equal(outcome.status, 'ended', 'it does not wait');
  assert.deepEqual(host.messages, ['bad']);
});

const waitFor = (params: Record<string, unknown>) =>
  act('hold', 'Wait', params, {
    then: 'other',
    errors: { NoMatchingError: 'bad' },
    conditions: [
      ['Equals', 'WaitCompleted', 'timeout'],
      ['Equals', 'CustomerReturned', 'ok'],
      ['Equals', 'BotParticipantDisconnected', 'one'],
    ],
  });

test('Wait: WaitCompleted when the time is up', async () => {
  const { engine, host, clock } = setup();
  const w = waiting(
    await engine.start(
      flowOf(waitFor({ TimeoutSeconds: '300', Events: ['CustomerReturned'] }), ...targets),
      host,
    ),
  );
  assert.deepEqual(w.state.wait, {
    kind: 'wait',
    deadline: clock.now() + 300_000,
    events: ['CustomerReturned'],
  });
  assert.equal(w.wakeAt, clock.now() + 300_000);
  clock.advance(299_000);
  assert.equal((await engine.resume(w.state, { kind: 'timer' }, host)).status, 'waiting');
  clock.advance(1_000);
  await engine.resume(w.state, { kind: 'timer' }, host);
  assert.deepEqual(host.messages, ['timeout']);
});

test('Wait: a listed event ends it with the event as the result; others are ignored', async () => {
  const { engine, host } = setup();
  const events = { TimeoutSeconds: '60', Events: ['CustomerReturned', 'BotParticipantDisconnected'] };
  const w = waiting(await engine.start(flowOf(waitFor(events), ...targets), host));
  assert.equal(
    (await engine.resume(w.state, { kind: 'event', name: 'AgentJoined' }, host)).status,
    'waiting',
  );
  await engine.resume(w.state, { kind: 'event', name: 'BotParticipantDisconnected' }, host);
  await engine.resume(w.state, { kind: 'event', name: 'CustomerReturned' }, host);
  await engine.resume(w.state, { kind: 'customerMessage', text: 'I am back' }, host);
  assert.deepEqual(host.messages, ['one', 'ok', 'ok']);
  const quiet = waiting(await engine.start(flowOf(waitFor({ TimeoutSeconds: '60' }), ...targets), host));
  assert.equal(
    (await engine.resume(quiet.state, { kind: 'customerMessage', text: 'hello?' }, host)).status,
    'waiting',
  );
  assert.equal(
    (await engine.resume(quiet.state, { kind: 'event', name: 'CustomerReturned' }, host)).status,
    'waiting',
  );
});

test('Wait: TimeoutSeconds by JSONPath; a bad value or a non-chat channel takes NoMatchingError', async () => {
  const { engine, host, clock } = setup();
  host.contactView.attributes = { pause: '120', broken: 'soon' };
  const w = waiting(
    await engine.start(flowOf(waitFor({ TimeoutSeconds: '$.Attributes.pause' }), ...targets), host),
  );
  assert.equal(w.wakeAt, clock.now() + 120_000);
  for (const t of ['$.Attributes.broken', '$.Attributes.missing'])
    await engine.start(flowOf(waitFor({ TimeoutSeconds: t }), ...targets), host);
  host.contactView.channel = 'VOICE';
  await engine.start(flowOf(waitFor({ TimeoutSeconds: '5' }), ...targets), host);
  assert.deepEqual(host.messages, ['bad', 'bad', 'bad']);
});

test('on a call: MessageParticipant speaks Text, and SSML as its words; audio prompts and GetParticipantInput take NoMatchingError', async () => {
  const { engine, host } = setup();
  host.contactView.channel = 'VOICE';
  host.contactView.attributes = { name: 'Ada' };
  const mp = (p: Record<string, unknown>) =>
    act('m', 'MessageParticipant', p, { then: 'ok', errors: { NoMatchingError: 'bad' } });
  await engine.start(flowOf(mp({ Text: 'Hello $.Attributes.name' }), ...targets), host);
  await engine.start(
    flowOf(mp({ SSML: '<speak>Hi <break time="1s"/> $.Attributes.name &amp; welcome</speak>' }), ...targets),
    host,
  );
  await engine.start(flowOf(mp({ PromptId: 'p-1' }), ...targets), host);
  await engine.start(
    flowOf(
      act(
        'ask',
        'GetParticipantInput',
        { Text: 'Press 1' },
        { then: 'ok', errors: { NoMatchingError: 'bad' } },
      ),
      ...targets,
    ),
    host,
  );
  assert.deepEqual(host.messages, ['Hello Ada', 'ok', 'Hi Ada & welcome', 'ok', 'bad', 'bad']);
});

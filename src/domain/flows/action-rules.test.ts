import { test } from 'node:test';
import { act, check } from './fixtures/flows.ts';

const err = { NoMatchingError: 'b' };
const input = (params: Record<string, unknown>, t: Parameters<typeof act>[3] = { then: 'a', errors: err }) =>
  act('in', 'GetParticipantInput', { Text: 'Press 1', StoreInput: 'False', ...params }, t);

test('MessageParticipant: exactly one of Text, PromptId, SSML, Media', () => {
  const mp = (p: Record<string, unknown>) => act('x', 'MessageParticipant', p, { then: 'a', errors: err });
  check('Text', null, mp({ Text: 'Hi $.Attributes.name' }));
  check(
    'PromptId (voice-only, saved anyway)',
    null,
    mp({ PromptId: 'arn:aws:connect:us-east-1:0:instance/i/prompt/p' }),
  );
  check('PromptId by JSONPath', null, mp({ PromptId: '$.Attributes.prompt' }));
  check('SSML', null, mp({ SSML: '<speak>Hi</speak>' }));
  check('Media', null, mp({ Media: { Uri: 's3://b/k.wav', SourceType: 'S3', MediaType: 'Audio' } }));
  check('none', /one of Text, PromptId, SSML, Media is required/, mp({}));
  check('two', /only one of .* \(got Text, SSML\)/, mp({ Text: 'a', SSML: 'b' }));
  check('empty Text', /Text must be a non-empty string/, mp({ Text: '' }));
  check(
    'PromptId mixed',
    /PromptId must be fully static or a single JSONPath/,
    mp({ PromptId: 'p-$.Attributes.x' }),
  );
  check(
    'Media source',
    /SourceType must be "S3"/,
    mp({ Media: { Uri: 'u', SourceType: 'HTTP', MediaType: 'Audio' } }),
  );
});

test('GetParticipantInput: StoreInput, InputValidation, timeouts and branches', () => {
  check(
    'StoreInput False with digit conditions',
    null,
    input(
      { InputTimeLimitSeconds: '5' },
      {
        then: 'a',
        errors: { ...err, NoMatchingCondition: 'a', InputTimeLimitExceeded: 'a' },
        conditions: [
          ['Equals', '1', 'a'],
          ['Equals', '#', 'b'],
        ],
      },
    ),
  );
  check(
    'StoreInput absent means False',
    null,
    act('in', 'GetParticipantInput', { Text: 'x' }, { then: 'a', errors: err }),
  );
  check('StoreInput bad', /StoreInput must be "True" or "False"/, input({ StoreInput: 'yes' }));
  check('True without validation', /InputValidation is required/, input({ StoreInput: 'True' }));
  check(
    'False with validation',
    /allowed only when StoreInput is True/,
    input({ InputValidation: { CustomValidation: { MaximumLength: '5' } } }),
  );
  const store = (v: unknown, extra: Record<string, unknown> = {}, errors: Record<string, string> = err) =>
    input({ StoreInput: 'True', InputValidation: v, ...extra }, { then: 'a', errors });
  check(
    'E164',
    null,
    store({ PhoneNumberValidation: { NumberFormat: 'E164' } }, {}, { ...err, InvalidPhoneNumber: 'a' }),
  );
  check(
    'Local with country',
    null,
    store({ PhoneNumberValidation: { NumberFormat: 'Local', CountryCode: 'US' } }),
  );
  check(
    'Local without country',
    /CountryCode .* is required/,
    store({ PhoneNumberValidation: { NumberFormat: 'Local' } }),
  );
  check('bad format', /NumberFormat must be/, store({ PhoneNumberValidation: { NumberFormat: 'Intl' } }));
  check(
    'both validations',
    /exactly one of PhoneNumberValidation/,
    store({ PhoneNumberValidation: { NumberFormat: 'E164' }, CustomValidation: { MaximumLength: '4' } }),
  );
  check('custom', null, store({ CustomValidation: { MaximumLength: '4' } }));
  check(
    'custom bad length',
    /MaximumLength must be a positive integer/,
    store({ CustomValidation: { MaximumLength: '0' } }),
  );
  const enc = { InputEncryption: { EncryptionKeyId: 'k', Key: '-----BEGIN PUBLIC KEY-----' } };
  check('encryption with custom', null, store({ CustomValidation: { MaximumLength: '4' } }, enc));
  check(
    'encryption with phone',
    /InputEncryption is allowed only with CustomValidation/,
    store({ PhoneNumberValidation: { NumberFormat: 'E164' } }, enc),
  );
  check('timeout 0', /InputTimeLimitSeconds must be/, input({ InputTimeLimitSeconds: '0' }));
  check('timeout text', /InputTimeLimitSeconds must be/, input({ InputTimeLimitSeconds: 'five' }));
  check('admin-guide spelling', null, input({ InputTimeoutSeconds: '8' }));
  check('both spellings', /not both/, input({ InputTimeLimitSeconds: '5', InputTimeoutSeconds: '8' }));
  check(
    'DTMF',
    null,
    input({ DTMFConfiguration: { InputTerminationSequence: '#', DisableCancelKey: 'False' } }),
  );
  check(
    'DTMF too long',
    /InputTerminationSequence/,
    input({ DTMFConfiguration: { InputTerminationSequence: '123456' } }),
  );
  check(
    'conditions with StoreInput True',
    /conditions are not allowed when StoreInput is True/,
    input(
      { StoreInput: 'True', InputValidation: { CustomValidation: { MaximumLength: '4' } } },
      { then: 'a', errors: err, conditions: [['Equals', '1', 'b']] },
    ),
  );
  check(
    'Equals a word',
    /Equals one of 0-9/,
    input({}, { then: 'a', errors: err, conditions: [['Equals', 'yes', 'b']] }),
  );
  check(
    'not Equals',
    /Equals one of 0-9/,
    input({}, { then: 'a', errors: err, conditions: [['TextContains', '1', 'b']] }),
  );
  check('NoMatchingError missing', /NoMatchingError is required/, input({}, { then: 'a' }));
  check(
    'NoMatchingCondition with True',
    /NoMatchingCondition is allowed only when StoreInput is False/,
    store({ CustomValidation: { MaximumLength: '4' } }, {}, { ...err, NoMatchingCondition: 'a' }),
  );
  check(
    'InvalidPhoneNumber without phone',
    /InvalidPhoneNumber is allowed only with PhoneNumberValidation/,
    input({}, { then: 'a', errors: { ...err, InvalidPhoneNumber: 'a' } }),
  );
  check('two prompts', /only one of/, input({ SSML: 'x' }));
});

test('UpdateContactAttributes: an object of string values, static or dynamic', () => {
  const set = (p: Record<string, unknown>) =>
    act('x', 'UpdateContactAttributes', p, { then: 'a', errors: err });
  check(
    'static and dynamic',
    null,
    set({
      Attributes: { entryPoint: 'web', tier: '$.Attributes.tier', greeting: 'Hi $.Name' },
      TargetContact: 'Current',
    }),
  );
  check('dynamic key', null, set({ Attributes: { '$.Attributes.keyName': 'v' } }));
  check('Related', null, set({ Attributes: { a: 'b' }, TargetContact: 'Related' }));
  check('missing', /Attributes must be an object/, set({}));
  check('empty', /at least one attribute/, set({ Attributes: {} }));
  check('number value', /value of attribute n must be a string/, set({ Attributes: { n: 5 } }));
  check(
    'mixed key',
    /key k-\$\.Attributes\.x must be fully static or a single JSONPath/,
    set({ Attributes: { 'k-$.Attributes.x': 'v' } }),
  );
  check(
    'TargetContact',
    /TargetContact must be "Current" or "Related"/,
    set({ Attributes: { a: 'b' }, TargetContact: 'Other' }),
  );
});

test('Compare: exactly one JSONPath', () => {
  const cmp = (value: unknown) =>
    act('x', 'Compare', value === undefined ? {} : { ComparisonValue: value }, {
      then: 'a',
      conditions: [['Equals', 'gold', 'b']],
    });
  check('a path', null, cmp('$.Attributes.tier'));
  check('channel', null, cmp('$.Channel'));
  for (const bad of [undefined, 'gold', 'Hi $.Attributes.x', '$.Attributes.a$.Attributes.b', 3])
    check(String(bad), /ComparisonValue must be exactly one JSONPath/, cmp(bad));
});

test('CheckHoursOfOperation: exactly the conditions Equals True and Equals False', () => {
  const hours = (conditions: [string, string, string][], p: Record<string, unknown> = {}) =>
    act('x', 'CheckHoursOfOperation', p, { then: 'a', errors: err, conditions });
  const tf: [string, string, string][] = [
    ['Equals', 'True', 'a'],
    ['Equals', 'False', 'b'],
  ];
  check('both', null, hours(tf));
  check(
    'both, other order, with an id',
    null,
    hours([tf[1], tf[0]], { HoursOfOperationId: '11111111-2222-4333-8444-555555555555' }),
  );
  check('dynamic id', null, hours(tf, { HoursOfOperationId: '$.Attributes.hours' }));
  check(
    'mixed id',
    /HoursOfOperationId must be fully static/,
    hours(tf, { HoursOfOperationId: 'h-$.Attributes.x' }),
  );
  check('one', /exactly two conditions/, hours([tf[0]]));
  check('True twice', /exactly two conditions/, hours([tf[0], tf[0]]));
  check('three', /exactly two conditions/, hours([...tf, ['Equals', 'Maybe', 'a']]));
  check('not Equals', /only Equals/, hours([tf[0], ['TextContains', 'False', 'b']]));
});

test('DistributeByPercentage: increasing NumberLessThan bounds up to 100', () => {
  const dist = (conditions: [string, string, string][], p = {}) =>
    act('x', 'DistributeByPercentage', p, { then: 'a', errors: { NoMatchingCondition: 'a' }, conditions });
  check(
    '20/30/rest',
    null,
    dist([
      ['NumberLessThan', '21', 'a'],
      ['NumberLessThan', '51', 'b'],
    ]),
  );
  check('Equals', /only NumberLessThan/, dist([['Equals', '21', 'a']]));
  check(
    'decreasing',
    /increasing integers/,
    dist([
      ['NumberLessThan', '51', 'a'],
      ['NumberLessThan', '21', 'b'],
    ]),
  );
  check('over 100', /increasing integers/, dist([['NumberLessThan', '101', 'a']]));
  check('fraction', /increasing integers/, dist([['NumberLessThan', '20.5', 'a']]));
  check('parameters', /takes no parameters/, dist([], { Percent: '5' }));
});

test('Wait: TimeoutSeconds ≤ 604800, and a condition for WaitCompleted and each event', () => {
  const wait = (p: Record<string, unknown>, results = ['WaitCompleted'], op = 'Equals') =>
    act('x', 'Wait', p, {
      then: 'a',
      errors: err,
      conditions: results.map((r) => [op, r, 'b'] as [string, string, string]),
    });
  check('7 days', null, wait({ TimeoutSeconds: '604800' }));
  check('JSONPath', null, wait({ TimeoutSeconds: '$.Attributes.pause' }));
  check(
    'with events',
    null,
    wait({ TimeoutSeconds: '300', Events: ['CustomerReturned', 'BotParticipantDisconnected'] }, [
      'WaitCompleted',
      'CustomerReturned',
      'BotParticipantDisconnected',
    ]),
  );
  check('too long', /TimeoutSeconds must be an integer from 1 to 604800/, wait({ TimeoutSeconds: '604801' }));
  check('zero', /TimeoutSeconds must be/, wait({ TimeoutSeconds: '0' }));
  check('missing', /TimeoutSeconds must be/, wait({}));
  check('no WaitCompleted branch', /Equals "WaitCompleted" is required/, wait({ TimeoutSeconds: '5' }, []));
  check(
    'event without branch',
    /Equals "CustomerReturned" is required/,
    wait({ TimeoutSeconds: '5', Events: ['CustomerReturned'] }),
  );
  check(
    'unknown event',
    /Events must be a list of/,
    wait({ TimeoutSeconds: '5', Events: ['AgentReturned'] }),
  );
  check(
    'branch that never holds',
    /can never hold/,
    wait({ TimeoutSeconds: '5' }, ['WaitCompleted', 'CustomerReturned']),
  );
  check('not Equals', /only Equals/, wait({ TimeoutSeconds: '5' }, ['WaitCompleted'], 'TextContains'));
});

test('UpdateContactTargetQueue: QueueId or AgentId, never both', () => {
  const set = (p: Record<string, unknown>) =>
    act('x', 'UpdateContactTargetQueue', p, { then: 'a', errors: err });
  check('queue ARN', null, set({ QueueId: 'arn:aws:connect:us-east-1:0:instance/i/queue/q' }));
  check('queue by JSONPath', null, set({ QueueId: '$.Attributes.queue' }));
  check('agent', null, set({ AgentId: 'u-1' }));
  check('both', /exactly one of QueueId and AgentId/, set({ QueueId: 'q', AgentId: 'u' }));
  check('neither', /exactly one of QueueId and AgentId/, set({}));
  check(
    'mixed',
    /QueueId must be fully static or a single JSONPath/,
    set({ QueueId: 'queue/$.Attributes.q' }),
  );
});

test('TransferContactToQueue: no parameters; QueueAtCapacity is its own error', () => {
  const transfer = (p = {}) =>
    act('x', 'TransferContactToQueue', p, {
      then: 'a',
      errors: { QueueAtCapacity: 'a', NoMatchingError: 'b' },
    });
  check('plain', null, transfer());
  check('parameters', /takes no parameters/, transfer({ QueueId: 'q' }));
});

test('UpdateContactRecordingBehavior: participants, IVR, analytics only with both recorded', () => {
  const rec = (p: Record<string, unknown>) => act('x', 'UpdateContactRecordingBehavior', p, { then: 'a' });
  check(
    'both',
    null,
    rec({
      RecordingBehavior: { RecordedParticipants: ['Agent', 'Customer'] },
      AnalyticsBehavior: { Enabled: 'True', AnalyticsLanguage: 'en-US' },
    }),
  );
  check(
    'off',
    null,
    rec({
      RecordingBehavior: {
        RecordedParticipants: [],
        ScreenRecordedParticipants: [],
        IVRRecordingBehavior: 'Disabled',
      },
    }),
  );
  check('missing', /RecordingBehavior is required/, rec({}));
  check(
    'bad participant',
    /RecordedParticipants must be a list/,
    rec({ RecordingBehavior: { RecordedParticipants: ['Supervisor'] } }),
  );
  check(
    'screen customer',
    /ScreenRecordedParticipants/,
    rec({ RecordingBehavior: { ScreenRecordedParticipants: ['Customer'] } }),
  );
  check('IVR', /IVRRecordingBehavior/, rec({ RecordingBehavior: { IVRRecordingBehavior: 'On' } }));
  check(
    'analytics, agent only',
    /AnalyticsBehavior is allowed only when both/,
    rec({ RecordingBehavior: { RecordedParticipants: ['Agent'] }, AnalyticsBehavior: { Enabled: 'True' } }),
  );
  check(
    'analytics Enabled',
    /Enabled must be "True" or "False"/,
    rec({
      RecordingBehavior: { RecordedParticipants: ['Agent', 'Customer'] },
      AnalyticsBehavior: { Enabled: true },
    }),
  );
});

test('UpdateContactEventHooks: exactly one known hook', () => {
  const hooks = (h: unknown) =>
    act('x', 'UpdateContactEventHooks', { EventHooks: h }, { then: 'a', errors: err });
  check(
    'queue flow',
    null,
    hooks({ CustomerQueue: 'arn:aws:connect:us-east-1:0:instance/i/contact-flow/f' }),
  );
  check('dynamic', null, hooks({ CustomerRemaining: '$.Attributes.disconnectFlow' }));
  check('two', /exactly one entry/, hooks({ CustomerQueue: 'f', CustomerHold: 'g' }));
  check('none', /exactly one entry/, hooks({}));
  check('unknown hook', /CustomerLeft is not an event hook/, hooks({ CustomerLeft: 'f' }));
  check('empty flow', /must be a non-empty string/, hooks({ CustomerQueue: '' }));
});

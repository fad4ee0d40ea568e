import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlow } from './flow-document.ts';
import { END, act, check, flowOf, say, JUNK_PARAMETERS } from './fixtures/flows.ts';
import { SPEC_EXAMPLE, asDesignerExport } from './fixtures/spec-example.ts';
import { defaultInboundFlow } from '../instances/instance-defaults.ts';

const err = { NoMatchingError: 'b' };

test('documents that are not flows are refused with a reason', () => {
  assert.match(parseFlow('{').problems[0], /not valid JSON/);
  assert.match(parseFlow('[]').problems[0], /JSON object/);
  const base = flowOf(say('a', 'A', 'end'), END);
  const p = (doc: unknown) => parseFlow(JSON.stringify(doc)).problems;
  assert.ok(p({ ...base, Version: '2020-01-01' }).some((x) => /Version/.test(x)));
  assert.ok(p({ ...base, Actions: {} }).some((x) => /Actions must be an array/.test(x)));
  assert.ok(p({ ...base, StartAction: 'nope' }).some((x) => /StartAction "nope"/.test(x)));
  assert.ok(p({ ...base, Metadata: 'x' }).some((x) => /Metadata/.test(x)));
  const many = Array.from({ length: 251 }, (_, i) => say(`m${i}`, 'x', 'end'));
  assert.ok(p(flowOf(...many, END)).some((x) => /at most 250/.test(x)));
  assert.deepEqual(p(flowOf(...many.slice(2), END)), [], '250 actions are fine');
});

test('structural problems name the action, and malformed parts never throw', () => {
  check('duplicate', /Identifier a is used by more than one/, say('a', 'again'));
  check('missing target', /Action x transitions to "nowhere"/, say('x', 'X', 'nowhere'));
  check('Parameters array', /Action x: Parameters must be an object/, {
    ...say('x', 'X'),
    Parameters: [] as never,
  });
  check('Transitions null', /Action x: Transitions must be an object/, {
    ...say('x', 'X'),
    Transitions: null as never,
  });
  check('Errors not a list', /Action x: Errors must be a list/, {
    ...say('x', 'X'),
    Transitions: { Errors: {} as never },
  });
  check('bad error entry', /each Errors entry/, {
    ...say('x', 'X'),
    Transitions: { Errors: [null as never] },
  });
  check(
    'duplicate error',
    /NoMatchingError is listed more than once/,
    act('x', 'MessageParticipant', { Text: 'x' }, {}),
    {
      ...say('y', 'Y'),
      Transitions: {
        Errors: [
          { ErrorType: 'NoMatchingError', NextAction: 'a' },
          { ErrorType: 'NoMatchingError', NextAction: 'b' },
        ],
      },
    },
  );
  for (const JUNK_PARAMETERS of [
    null,
    1,
    'x',
    [],
    [null],
    [{}],
    [{ Identifier: 'a', Type: 1, Parameters: 1, Transitions: 1 }],
  ]) {
    assert.ok(
      parseFlow(JSON.stringify({ Version: '2019-10-30', StartAction: 'a', Actions: JUNK_PARAMETERS }))
        .problems.length > 0,
    );
  }
});

test('Identifier rules: ≤50 characters, forbidden characters and names', () => {
  check('50 characters', null, say('x'.repeat(50), 'X'));
  check('50 emoji are 50 characters', null, say('😀'.repeat(50), 'X'));
  check('51 characters', /longer than 50/, say('x'.repeat(51), 'X'));
  check('spaces and Unicode', null, say('Say hello — ça va', 'X'));
  check('UUID', null, say('5b3c8c6e-1f4a-4c57-9a51-2f1d8a7b9c00', 'X'));
  check('empty', /non-empty string/, say('', 'X'));
  for (const c of '%:()\\/=$,;[]{}') check(`character ${c}`, /contains one of/, say(`a${c}b`, 'X'));
  for (const name of [
    '__proto__',
    'constructor',
    '__defineGetter__',
    '__defineSetter__',
    'toString',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    'valueOf',
  ])
    check(name, /reserved name/, say(name, 'X'));
});

test('action types: unknown ones are refused, known ones the engine does not run are kept', () => {
  check('unknown', /Action x: Unknown action type PlayMusic/, act('x', 'PlayMusic', {}, { then: 'a' }));
  check(
    'known, not run',
    null,
    act(
      'x',
      'InvokeLambdaFunction',
      { LambdaFunctionARN: 'arn:aws:lambda:us-east-1:0:function:f' },
      { then: 'a', errors: err },
    ),
  );
});

test('conditions: only the documented operators, and only on actions with a result', () => {
  const cmp = (op: string, operand = 'gold') =>
    act(
      'x',
      'Compare',
      { ComparisonValue: '$.Attributes.tier' },
      { then: 'a', conditions: [[op, operand, 'b']] },
    );
  for (const op of [
    'Equals',
    'TextStartsWith',
    'TextEndsWith',
    'TextContains',
    'NumberGreaterThan',
    'NumberGreaterOrEqualTo',
    'NumberLessThan',
    'NumberLessOrEqualTo',
  ])
    check(op, null, cmp(op, '1'));
  check('unknown operator', /Action x: Conditions\[0\] operator "Matches" is not supported/, cmp('Matches'));
  check('two operands', /exactly one string operand/, {
    ...cmp('Equals'),
    Transitions: {
      Conditions: [{ NextAction: 'a', Condition: { Operator: 'Equals', Operands: ['a', 'b'] } }],
    },
  });
  check(
    'no result',
    /MessageParticipant has no result/,
    act('x', 'MessageParticipant', { Text: 'x' }, { then: 'a', conditions: [['Equals', 'x', 'b']] }),
  );
  check(
    'foreign error type',
    /MessageParticipant has no error type QueueAtCapacity/,
    act('x', 'MessageParticipant', { Text: 'x' }, { then: 'a', errors: { QueueAtCapacity: 'b' } }),
  );
  check(
    'common error types',
    null,
    act(
      'x',
      'MessageParticipant',
      { Text: 'x' },
      { then: 'a', errors: { NoMatchingError: 'b', NoMatchingCondition: 'b' } },
    ),
  );
});

test('terminal actions must have empty Transitions', () => {
  for (const type of ['DisconnectParticipant', 'EndFlowExecution']) {
    check(`${type} {}`, null, act('x', type));
    check(`${type} empty lists`, null, { ...act('x', type), Transitions: { Errors: [], Conditions: [] } });
    check(`${type} NextAction`, /Transitions must be \{\}/, act('x', type, {}, { then: 'a' }));
    check(`${type} Errors`, /Transitions must be \{\}/, act('x', type, {}, { errors: err }));
  }
});

test('designer exports are accepted and come back untouched (Metadata, unknown keys)', () => {
  const designer = {
    ...asDesignerExport(JSON.parse(SPEC_EXAMPLE)),
    Settings: { InputParameters: [] },
    Extra: 1,
  };
  for (const content of [
    SPEC_EXAMPLE,
    JSON.stringify(designer),
    defaultInboundFlow(`arn:aws:connect:us-east-1:0:instance/i/queue/q`),
  ]) {
    const { flow, problems } = parseFlow(content);
    assert.deepEqual(problems, []);
    assert.deepEqual(flow, JSON.parse(content), 'nothing added, dropped or rewritten');
  }
  const capitalised = {
    ...flowOf(say('a', 'A', 'end'), END),
    Metadata: { EntryPointPosition: { X: 1, Y: 2 }, ActionMetadata: { a: { Position: { X: 3, Y: 4 } } } },
  };
  assert.deepEqual(parseFlow(JSON.stringify(capitalised)).flow?.Metadata, capitalised.Metadata);
});

test('every problem names the action it is about', () => {
  const problems = parseFlow(
    JSON.stringify(
      flowOf(act('first one', 'Compare', {}, {}), act('second', 'Wait', { TimeoutSeconds: '0' }, {}), END),
    ),
  ).problems;
  assert.ok(problems.length >= 3);
  for (const p of problems) assert.match(p, /^Action (first one|second): /);
});

test('validation never throws, whatever the parameters and transitions hold', async () => {
  const { ACTIONS } = await import('./actions/index.ts');
  const keys = [
    'Text',
    'PromptId',
    'SSML',
    'Media',
    'StoreInput',
    'InputValidation',
    'InputEncryption',
    'DTMFConfiguration',
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
    'AnalyticsBehavior',
    'EventHooks',
  ];
  const transitions = [
    {},
    { Errors: [null, { ErrorType: 5 }] },
    {
      Conditions: [
        null,
        { NextAction: 'a', Condition: null },
        { NextAction: 'a', Condition: { Operator: 'Equals', Operands: null } },
      ],
    },
    { NextAction: 5 },
  ];
  let count = 0;
  for (const type of ACTIONS.keys())
    for (const key of keys)
      for (const value of JUNK_PARAMETERS)
        for (const Transitions of transitions) {
          const content = JSON.stringify(
            flowOf({ Identifier: 'x', Type: type, Parameters: { [key]: value }, Transitions } as never, END),
          );
          assert.ok(Array.isArray(parseFlow(content).problems));
          count++;
        }
  assert.ok(count > 5000);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunData } from './values.ts';
import { hasReference, interpolate, isSingleReference, parseReference, staticOrReference } from './values.ts';

const data: RunData = {
  contact: {
    contactId: 'c-2',
    initialContactId: 'c-1',
    previousContactId: 'c-0',
    channel: 'CHAT',
    name: 'Support chat',
    attributes: { firstName: 'Ada', 'first-name': 'Grace', 'a b': 'spaced', count: '3' },
    customerEndpoint: { address: 'ada@example.com' },
    systemEndpoint: { address: 'web' },
    queue: { id: 'q-1', arn: 'arn:q/1', name: 'BasicQueue' },
  },
  run: {
    flowAttributes: { step: 'two' },
    external: { tier: 'gold', nested: { level: 7 }, flag: true },
    storedInput: '+15550100',
  },
};

test('every documented reference resolves', () => {
  const cases: [string, string][] = [
    ['$.Channel', 'CHAT'],
    ['$.ContactId', 'c-2'],
    ['$.InitialContactId', 'c-1'],
    ['$.PreviousContactId', 'c-0'],
    ['$.Name', 'Support chat'],
    ['$.CustomerEndpoint.Address', 'ada@example.com'],
    ['$.SystemEndpoint.Address', 'web'],
    ['$.Queue.Name', 'BasicQueue'],
    ['$.Queue.ARN', 'arn:q/1'],
    ['$.StoredCustomerInput', '+15550100'],
    ['$.Attributes.firstName', 'Ada'],
    ['$.Attributes.first-name', 'Grace'],
    ["$.Attributes['a b']", 'spaced'],
    ['$.Attributes.["a b"]', 'spaced'],
    ['$.FlowAttributes.step', 'two'],
    ['$.External.tier', 'gold'],
    ['$.External.nested.level', '7'],
    ['$.External.flag', 'true'],
  ];
  for (const [ref, value] of cases) {
    assert.ok(isSingleReference(ref), ref);
    assert.equal(staticOrReference(ref, data), value, ref);
  }
});

test('references that name nothing resolve to undefined, never to prototype members', () => {
  for (const ref of [
    '$.Attributes.missing',
    '$.Attributes.constructor',
    '$.Attributes.__proto__',
    '$.Attributes',
    '$.External.nested',
    '$.External.toString',
    '$.Queue.Id',
    '$.Channel.x',
    '$.Lex.IntentName',
    '$.FlowAttributes.hasOwnProperty',
  ]) {
    assert.equal(staticOrReference(ref, data), undefined, ref);
  }
});

test('static values are themselves', () => {
  assert.equal(
    staticOrReference('arn:aws:connect:us-east-1:1:instance/x/queue/y', data),
    'arn:aws:connect:us-east-1:1:instance/x/queue/y',
  );
  assert.equal(isSingleReference('Hi $.Attributes.firstName'), false);
  assert.equal(isSingleReference('$.Attributes.firstName!'), false);
});

test('references inside sentences are interpolated; what names nothing becomes ""', () => {
  assert.equal(interpolate('Hi $.Attributes.firstName, welcome.', data), 'Hi Ada, welcome.');
  assert.equal(interpolate('Hi $.Attributes.firstName.', data), 'Hi Ada.');
  assert.equal(interpolate('$.Attributes.firstName and $.Attributes.first-name', data), 'Ada and Grace');
  assert.equal(interpolate('Queue: $.Queue.Name ($.Channel)', data), 'Queue: BasicQueue (CHAT)');
  assert.equal(interpolate('Hi $.Attributes.nobody!', data), 'Hi !');
  assert.equal(interpolate('It costs US$.50 or $.99, $ and $.', data), 'It costs US$.50 or $.99, $ and $.');
  assert.equal(interpolate('no references', data), 'no references');
});

test('the reference parser stops at the first character that is not part of a name', () => {
  assert.deepEqual(parseReference('$.Attributes.x y', 0), { path: ['Attributes', 'x'], end: 14 });
  assert.equal(parseReference("$.Attributes['unclosed", 0)?.end, 12);
  assert.equal(parseReference('$.9', 0), undefined);
  assert.equal(hasReference('price $5'), false);
  assert.equal(hasReference('id-$.Attributes.q'), true);
});

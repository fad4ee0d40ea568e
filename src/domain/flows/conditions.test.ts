import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionHolds, conditionProblem, nextActionFor } from './conditions.ts';

const holds = (Operator: string, result: string, operand: string) =>
  conditionHolds({ Operator, Operands: [operand] }, result);

test('text operators compare exactly and case-sensitively', () => {
  assert.ok(holds('Equals', 'gold', 'gold'));
  assert.ok(!holds('Equals', 'Gold', 'gold'));
  assert.ok(holds('TextStartsWith', 'gold member', 'gold'));
  assert.ok(!holds('TextStartsWith', 'member gold', 'gold'));
  assert.ok(holds('TextEndsWith', 'member gold', 'gold'));
  assert.ok(holds('TextContains', 'a gold member', 'gold'));
  assert.ok(!holds('TextContains', 'silver', 'gold'));
});

test('number operators compare numbers and are false when either side is not one', () => {
  assert.ok(holds('NumberGreaterThan', '22', '21'));
  assert.ok(!holds('NumberGreaterThan', '21', '21'));
  assert.ok(holds('NumberGreaterOrEqualTo', '21', '21'));
  assert.ok(holds('NumberLessThan', '9', '10'), 'numeric, not text, order');
  assert.ok(!holds('NumberLessThan', '10', '10'));
  assert.ok(holds('NumberLessOrEqualTo', '10.0', '10'));
  assert.ok(holds('NumberLessThan', '-1.5', '0'));
  for (const op of ['NumberGreaterThan', 'NumberGreaterOrEqualTo', 'NumberLessThan', 'NumberLessOrEqualTo']) {
    assert.ok(!holds(op, 'abc', '10'), op);
    assert.ok(!holds(op, '5', 'ten'), op);
    assert.ok(!holds(op, '', '0'), op);
  }
});

test('unknown operators and malformed conditions never hold', () => {
  assert.ok(!holds('Matches', 'x', 'x'));
  assert.ok(!conditionHolds({ Operator: 'Equals', Operands: [] }, ''));
  assert.ok(!conditionHolds(null as never, 'x'));
});

test('condition shapes: documented operators with one string operand', () => {
  assert.equal(conditionProblem({ Operator: 'Equals', Operands: ['x'] }), undefined);
  assert.match(String(conditionProblem({ Operator: 'And', Operands: ['x'] })), /not supported/);
  assert.match(String(conditionProblem({ Operator: 'Equals', Operands: ['x', 'y'] })), /exactly one/);
  assert.match(String(conditionProblem({ Operator: 'NumberLessThan', Operands: [5] })), /exactly one/);
  assert.match(String(conditionProblem('Equals')), /object/);
});

const t = {
  NextAction: 'default',
  Errors: [
    { ErrorType: 'QueueAtCapacity', NextAction: 'full' },
    { ErrorType: 'NoMatchingError', NextAction: 'error' },
    { ErrorType: 'NoMatchingCondition', NextAction: 'nomatch' },
  ],
  Conditions: [
    { NextAction: 'first', Condition: { Operator: 'TextStartsWith', Operands: ['go'] } },
    { NextAction: 'second', Condition: { Operator: 'Equals', Operands: ['gold'] } },
  ],
};

test('§2.1: a failure takes its own ErrorType, else NoMatchingError, else nothing', () => {
  assert.equal(nextActionFor(t, { kind: 'error', errorType: 'QueueAtCapacity', message: '' }), 'full');
  assert.equal(nextActionFor(t, { kind: 'error', errorType: 'InvalidPhoneNumber', message: '' }), 'error');
  assert.equal(
    nextActionFor({ NextAction: 'default' }, { kind: 'error', errorType: 'NoMatchingError', message: '' }),
    undefined,
  );
});

test('§2.1: a result takes the first true condition, else NoMatchingCondition, else NextAction', () => {
  assert.equal(
    nextActionFor(t, { kind: 'next', result: 'gold' }),
    'first',
    'first true wins, not the exact one',
  );
  assert.equal(nextActionFor(t, { kind: 'next', result: 'silver' }), 'nomatch');
  assert.equal(nextActionFor({ ...t, Errors: [] }, { kind: 'next', result: 'silver' }), 'default');
  assert.equal(nextActionFor({ Conditions: t.Conditions }, { kind: 'next', result: 'silver' }), undefined);
});

test('§2.1: no result, or no conditions, takes NextAction', () => {
  assert.equal(nextActionFor(t, { kind: 'next' }), 'default');
  assert.equal(nextActionFor({ NextAction: 'n' }, { kind: 'next', result: 'x' }), 'n');
  assert.equal(nextActionFor({}, { kind: 'next' }), undefined);
});

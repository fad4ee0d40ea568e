/**
 * Condition operators (spec §2.2) and the transition rule (§2.1). Only the documented
 * one-operand operators exist here; operators with nested Condition operands are unverified,
 * so a flow using them is refused at save time rather than guessed at run time.
 */
import type { FlowTransitions } from './flow-document.ts';
import type { ActionResult } from './types.ts';

export const NO_MATCHING_ERROR = 'NoMatchingError';
export const NO_MATCHING_CONDITION = 'NoMatchingCondition';

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function numbers(result: string, operand: string): [number, number] | undefined {
  return NUMBER.test(result) && NUMBER.test(operand) ? [Number(result), Number(operand)] : undefined;
}

const OPERATORS: ReadonlyMap<string, (result: string, operand: string) => boolean> = new Map([
  ['Equals', (r, o) => r === o],
  ['TextStartsWith', (r, o) => r.startsWith(o)],
  ['TextEndsWith', (r, o) => r.endsWith(o)],
  ['TextContains', (r, o) => r.includes(o)],
  // Numeric comparisons are false when either side is not a number.
  ['NumberGreaterThan', (r, o) => ((n) => !!n && n[0] > n[1])(numbers(r, o))],
  ['NumberGreaterOrEqualTo', (r, o) => ((n) => !!n && n[0] >= n[1])(numbers(r, o))],
  ['NumberLessThan', (r, o) => ((n) => !!n && n[0] < n[1])(numbers(r, o))],
  ['NumberLessOrEqualTo', (r, o) => ((n) => !!n && n[0] <= n[1])(numbers(r, o))],
]);

export function isOperator(name: unknown): boolean {
  return typeof name === 'string' && OPERATORS.has(name);
}

/** Whether a condition holds for a result; a malformed condition never does. */
export function conditionHolds(
  condition: { Operator: string; Operands: unknown[] },
  result: string,
): boolean {
  const test = OPERATORS.get(condition?.Operator);
  const operand = Array.isArray(condition?.Operands) ? condition.Operands[0] : undefined;
  return !!test && typeof operand === 'string' && test(result, operand);
}

/** Save-time shape problems of one condition (the operator and its single string operand). */
export function conditionProblem(condition: unknown): string | undefined {
  if (!condition || typeof condition !== 'object') return 'must be an object';
  const { Operator, Operands } = condition as { Operator?: unknown; Operands?: unknown };
  if (!isOperator(Operator)) return `operator ${JSON.stringify(Operator)} is not supported`;
  if (!Array.isArray(Operands) || Operands.length !== 1 || typeof Operands[0] !== 'string')
    return `${Operator} takes exactly one string operand`;
  return undefined;
}

/**
 * Where a finished action goes (spec §2.1): a failure takes its ErrorType's entry, else
 * NoMatchingError's; a result takes the first true condition, else NoMatchingCondition's
 * entry, else NextAction; anything else takes NextAction. undefined: the flow ends.
 */
export function nextActionFor(
  transitions: FlowTransitions,
  outcome: Extract<ActionResult, { kind: 'next' | 'error' }>,
): string | undefined {
  const errors = Array.isArray(transitions.Errors) ? transitions.Errors : [];
  const onError = (type: string) => errors.find((e) => e?.ErrorType === type)?.NextAction;
  if (outcome.kind === 'error') return onError(outcome.errorType) ?? onError(NO_MATCHING_ERROR);
  const conditions = Array.isArray(transitions.Conditions) ? transitions.Conditions : [];
  if (outcome.result !== undefined && conditions.length > 0) {
    const hit = conditions.find((c) => conditionHolds(c?.Condition, outcome.result as string));
    if (hit) return hit.NextAction;
    return onError(NO_MATCHING_CONDITION) ?? transitions.NextAction;
  }
  return transitions.NextAction;
}

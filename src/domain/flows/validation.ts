/**
 * Save-time rules for one action (spec §2, §4, §6): its Identifier, its Type, the shape of
 * its Transitions, then the rules of its Type, which live in the action's own module.
 */
import { ACTIONS, KNOWN_ACTION_TYPES } from './actions/index.ts';
import { NO_MATCHING_CONDITION, NO_MATCHING_ERROR, conditionProblem } from './conditions.ts';
import type { FlowAction } from './flow-document.ts';
import type { ActionValidation } from './types.ts';

const FORBIDDEN_CHARACTERS = /[%:()\\/=$,;[\]{}]/;
const FORBIDDEN_NAMES = new Set([
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
]);
const MAX_IDENTIFIER = 50;

/** Why an Identifier is not allowed, or undefined. Length counts characters, not UTF-16 units. */
export function identifierProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'it must be a non-empty string';
  if ([...id].length > MAX_IDENTIFIER) return `it is longer than ${MAX_IDENTIFIER} characters`;
  if (FORBIDDEN_CHARACTERS.test(id)) return 'it contains one of % : ( \\ / ) = $ , ; [ ] { }';
  if (FORBIDDEN_NAMES.has(id)) return `${id} is a reserved name`;
  return undefined;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  !!x && typeof x === 'object' && !Array.isArray(x);

/** Problems of one action whose Identifier, Parameters and Transitions are already objects/strings. */
export function actionProblems(action: FlowAction): string[] {
  const problems: string[] = [];
  const problem = (message: string) => problems.push(`Action ${action.Identifier}: ${message}`);
  if (!KNOWN_ACTION_TYPES.has(action.Type)) {
    problem(`Unknown action type ${action.Type}`);
    return problems;
  }
  const t = action.Transitions as Record<string, unknown>;
  if (t.NextAction !== undefined && typeof t.NextAction !== 'string') problem('NextAction must be a string');
  const errors = t.Errors ?? [];
  const conditions = t.Conditions ?? [];
  const errorTypes: string[] = [];
  if (!Array.isArray(errors)) problem('Errors must be a list');
  else
    for (const e of errors) {
      if (
        !isObject(e) ||
        typeof e.ErrorType !== 'string' ||
        e.ErrorType === '' ||
        typeof e.NextAction !== 'string'
      )
        problem('each Errors entry needs an ErrorType and a NextAction');
      else if (errorTypes.includes(e.ErrorType))
        problem(`error type ${e.ErrorType} is listed more than once`);
      else errorTypes.push(e.ErrorType);
    }
  const valid: ActionValidation['conditions'] = [];
  if (!Array.isArray(conditions)) problem('Conditions must be a list');
  else
    for (const [i, c] of conditions.entries()) {
      const why =
        !isObject(c) || typeof c.NextAction !== 'string'
          ? 'needs a NextAction'
          : conditionProblem(c.Condition);
      if (why) problem(`Conditions[${i}] ${why}`);
      else valid.push((c as { Condition: ActionValidation['conditions'][number] }).Condition);
    }

  const handler = ACTIONS.get(action.Type);
  if (!handler) return problems;
  if (handler.terminal && Object.values(t).some((v) => !(Array.isArray(v) && v.length === 0)))
    problem(`${action.Type} ends the flow, so its Transitions must be {}`);
  if (!handler.hasResult && Array.isArray(conditions) && conditions.length > 0)
    problem(`${action.Type} has no result, so it supports no conditions`);
  const allowed = [NO_MATCHING_ERROR, NO_MATCHING_CONDITION, ...(handler.errorTypes ?? [])];
  for (const type of errorTypes) {
    if (!allowed.includes(type)) problem(`${action.Type} has no error type ${type}`);
  }
  handler.validate?.({ action, params: action.Parameters, conditions: valid, errorTypes, problem });
  return problems;
}

/**
 * The flow language document (Version 2019-10-30) as CreateContactFlow stores it, and the
 * rules a flow must meet to be saved: structure here, each action type's own rules in its
 * module under actions/ (via validation.ts). Executing flows is engine.ts's job.
 * The parsed object is the stored one: Metadata and unknown keys are kept untouched, so
 * designer exports round-trip.
 */
import { actionProblems, identifierProblem } from './validation.ts';

export const FLOW_LANGUAGE_VERSION = '2019-10-30';
export const MAX_ACTIONS = 250;

export interface FlowTransitions {
  NextAction?: string;
  Errors?: { ErrorType: string; NextAction: string }[];
  Conditions?: { NextAction: string; Condition: { Operator: string; Operands: unknown[] } }[];
}

export interface FlowAction {
  Identifier: string;
  Type: string;
  Parameters: Record<string, unknown>;
  Transitions: FlowTransitions;
}

export interface FlowDocument {
  Version: string;
  StartAction: string;
  Actions: FlowAction[];
  Metadata?: Record<string, unknown>;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  !!x && typeof x === 'object' && !Array.isArray(x);

/** Every NextAction an action names, whatever the shape of its Transitions. */
function targets(t: FlowTransitions): unknown[] {
  const list = (x: unknown) => (Array.isArray(x) ? x : []);
  return [
    t.NextAction,
    ...list(t.Errors).map((e) => e?.NextAction),
    ...list(t.Conditions).map((c) => c?.NextAction),
  ];
}

/** Parses a flow's Content; returns the document or the list of problems that prevent saving it. */
export function parseFlow(
  content: string,
): { flow: FlowDocument; problems: [] } | { flow?: undefined; problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (err) {
    return { problems: [`Content is not valid JSON: ${(err as Error).message}`] };
  }
  if (!isObject(doc)) return { problems: ['Content must be a JSON object'] };
  const flow = doc as unknown as FlowDocument;
  const problems: string[] = [];
  if (flow.Version !== FLOW_LANGUAGE_VERSION) problems.push(`Version must be "${FLOW_LANGUAGE_VERSION}"`);
  if (flow.Metadata !== undefined && !isObject(flow.Metadata)) problems.push('Metadata must be an object');
  if (!Array.isArray(flow.Actions)) return { problems: [...problems, 'Actions must be an array'] };
  if (flow.Actions.length > MAX_ACTIONS) problems.push(`A flow has at most ${MAX_ACTIONS} actions`);
  const ids = new Set<string>();
  const wellFormed: FlowAction[] = [];
  for (const [i, action] of flow.Actions.entries()) {
    if (!isObject(action)) {
      problems.push(`Actions[${i}] must be an object`);
      continue;
    }
    const id = action.Identifier;
    const why = identifierProblem(id);
    if (why)
      problems.push(`Actions[${i}].Identifier ${JSON.stringify(id)} is not a valid identifier: ${why}`);
    else if (ids.has(id)) problems.push(`Identifier ${id} is used by more than one action`);
    ids.add(id);
    let ok = !why;
    if (typeof action.Type !== 'string') {
      problems.push(`Action ${id}: Type must be a string`);
      ok = false;
    }
    if (!isObject(action.Parameters)) {
      problems.push(`Action ${id}: Parameters must be an object`);
      ok = false;
    }
    if (!isObject(action.Transitions)) {
      problems.push(`Action ${id}: Transitions must be an object`);
      ok = false;
    }
    if (ok) wellFormed.push(action);
  }
  if (typeof flow.StartAction !== 'string' || !ids.has(flow.StartAction)) {
    problems.push(`StartAction ${JSON.stringify(flow.StartAction)} does not name an action`);
  }
  for (const action of wellFormed) {
    problems.push(...actionProblems(action));
    for (const target of targets(action.Transitions)) {
      if (target !== undefined && !(typeof target === 'string' && ids.has(target))) {
        problems.push(
          `Action ${action.Identifier} transitions to ${JSON.stringify(target)}, which does not exist`,
        );
      }
    }
  }
  return problems.length > 0 ? { problems } : { flow, problems: [] };
}

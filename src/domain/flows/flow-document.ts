/**
 * The flow language document (Version 2019-10-30) as CreateContactFlow stores it: the
 * structural rules every flow must meet to be saved. Executing flows is the flow engine's job.
 */

export const FLOW_LANGUAGE_VERSION = '2019-10-30';
export const MAX_ACTIONS = 250;
const FORBIDDEN_IDENTIFIER = /[%:()\\/=$,;[\]{}]/;

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
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    return { problems: ['Content must be a JSON object'] };
  const flow = doc as FlowDocument;
  const problems: string[] = [];
  if (flow.Version !== FLOW_LANGUAGE_VERSION) problems.push(`Version must be "${FLOW_LANGUAGE_VERSION}"`);
  if (!Array.isArray(flow.Actions)) return { problems: [...problems, 'Actions must be an array'] };
  if (flow.Actions.length > MAX_ACTIONS) problems.push(`A flow has at most ${MAX_ACTIONS} actions`);
  const ids = new Set<string>();
  for (const [i, action] of flow.Actions.entries()) {
    if (!action || typeof action !== 'object') {
      problems.push(`Actions[${i}] must be an object`);
      continue;
    }
    const id = action.Identifier;
    if (typeof id !== 'string' || id.length === 0 || id.length > 50 || FORBIDDEN_IDENTIFIER.test(id)) {
      problems.push(`Actions[${i}].Identifier ${JSON.stringify(id)} is not a valid identifier`);
    } else if (ids.has(id)) {
      problems.push(`Identifier ${id} is used by more than one action`);
    }
    ids.add(id);
    if (typeof action.Type !== 'string') problems.push(`Action ${id}: Type must be a string`);
    if (!action.Parameters || typeof action.Parameters !== 'object')
      problems.push(`Action ${id}: Parameters must be an object`);
    if (!action.Transitions || typeof action.Transitions !== 'object')
      problems.push(`Action ${id}: Transitions must be an object`);
  }
  if (typeof flow.StartAction !== 'string' || !ids.has(flow.StartAction)) {
    problems.push(`StartAction ${JSON.stringify(flow.StartAction)} does not name an action`);
  }
  for (const action of flow.Actions) {
    const t = action?.Transitions;
    if (!t || typeof t !== 'object') continue;
    const targets = [
      t.NextAction,
      ...(t.Errors ?? []).map((e) => e?.NextAction),
      ...(t.Conditions ?? []).map((c) => c?.NextAction),
    ];
    for (const target of targets) {
      if (target !== undefined && !ids.has(target)) {
        problems.push(
          `Action ${action.Identifier} transitions to ${JSON.stringify(target)}, which does not exist`,
        );
      }
    }
  }
  return problems.length > 0 ? { problems } : { flow, problems: [] };
}

/**
 * Wait: pauses the flow until TimeoutSeconds pass (result WaitCompleted) or a listed event
 * happens (result: the event's name). Chat only, per the archived docs.
 */
import { checkEqualsOnly, equalsOperands, fail, integerParam, ok, resolveParam } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';
import { isSingleReference } from '../values.ts';

export const MAX_WAIT_SECONDS = 604_800;
export const WAIT_EVENTS = ['CustomerReturned', 'BotParticipantDisconnected'];
const COMPLETED = 'WaitCompleted';

export const wait: ActionHandler = {
  hasResult: true,
  validate(v) {
    const timeout = v.params.TimeoutSeconds;
    const isPath = typeof timeout === 'string' && isSingleReference(timeout);
    if (!isPath && integerParam(timeout, 1, MAX_WAIT_SECONDS) === undefined)
      v.problem(`TimeoutSeconds must be an integer from 1 to ${MAX_WAIT_SECONDS}, or a single JSONPath`);
    const events = v.params.Events ?? [];
    if (!Array.isArray(events) || events.some((e) => !WAIT_EVENTS.includes(e))) {
      v.problem(`Events must be a list of ${WAIT_EVENTS.join(', ')}`);
      return;
    }
    checkEqualsOnly(v);
    const operands = equalsOperands(v);
    for (const result of [COMPLETED, ...events]) {
      if (!operands.includes(result)) v.problem(`a condition Equals "${result}" is required`);
    }
    for (const operand of operands) {
      if (operand !== COMPLETED && !events.includes(operand))
        v.problem(
          `condition Equals ${JSON.stringify(operand)} can never hold: it is not WaitCompleted or a listed event`,
        );
    }
  },
  async run(ctx) {
    if (ctx.contact.channel !== 'CHAT')
      return fail(`Wait is not supported on the ${ctx.contact.channel} channel`);
    const raw = resolveParam(ctx, 'TimeoutSeconds');
    if (typeof raw !== 'string') return raw;
    const seconds = integerParam(raw, 1, MAX_WAIT_SECONDS);
    if (seconds === undefined)
      return fail(`TimeoutSeconds ${JSON.stringify(raw)} is not 1 to ${MAX_WAIT_SECONDS}`);
    const events = (ctx.params.Events as string[] | undefined) ?? [];
    return { kind: 'wait', wait: { kind: 'wait', deadline: ctx.now + seconds * 1000, events: [...events] } };
  },
  async resume(ctx, event) {
    const events = ctx.run.wait?.kind === 'wait' ? ctx.run.wait.events : [];
    if (event.kind === 'timeout') return ok(COMPLETED);
    if (event.kind === 'event' && events.includes(event.name)) return ok(event.name);
    // Decision (unverified): for chat, "the customer returned" is the customer writing again,
    // so a message ends a wait that lists CustomerReturned.
    if (event.kind === 'customerMessage' && events.includes('CustomerReturned'))
      return ok('CustomerReturned');
    return undefined;
  },
};

/**
 * The contact-flow engine: runs a flow for one contact, action by action, until the flow
 * waits (for the customer, a timer or an event), ends, or fails. It is pure: effects go
 * through the FlowHost, time through the Clock, chance through the random source.
 *
 * It never throws and never loops forever: anything unexpected (a missing action, a thrown
 * bug, a broken state, more than maxActionsPerRun actions without a wait) becomes a
 * `failed` outcome, after which the host disconnects the contact. A paused run is a plain
 * JSON RunState; the host stores it and hands it back to resume(), even after a restart.
 *
 * Deviations from Amazon Connect: the action types in actions/index.ts's NOT_RUN list are
 * accepted but fail with NoMatchingError when run (InvokeLambdaFunction among them); the flow
 * type (inbound, queue, whisper…) is not known here, so flow-type restrictions are not enforced.
 */
import { nextActionFor } from './conditions.ts';
import { ACTIONS, notRun } from './actions/index.ts';
import type { FlowAction, FlowDocument } from './flow-document.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ActionContext, ActionResult, FlowEvent, FlowHost, RunOutcome, RunState } from './types.ts';

export const DEFAULT_MAX_ACTIONS_PER_RUN = 1000;

export interface FlowEngineOptions {
  clock: Clock;
  /** A number in [0, 1), like Math.random (the default). DistributeByPercentage uses it. */
  random?: () => number;
  /** Actions one start() or resume() may run before it stops the flow as a loop. */
  maxActionsPerRun?: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Enough of a RunState to resume from; anything else is refused rather than half-run. */
function isRunState(x: unknown): x is RunState {
  const s = x as RunState;
  return (
    !!s &&
    s.version === 1 &&
    typeof s.actionId === 'string' &&
    Array.isArray(s.flow?.Actions) &&
    !!s.wait &&
    (s.wait.kind === 'input' || s.wait.kind === 'wait') &&
    (s.wait.deadline === undefined || typeof s.wait.deadline === 'number') &&
    !!s.flowAttributes &&
    typeof s.flowAttributes === 'object' &&
    !!s.external &&
    typeof s.external === 'object'
  );
}

export class FlowEngine {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #maxActions: number;

  constructor(options: FlowEngineOptions) {
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    this.#maxActions = options.maxActionsPerRun ?? DEFAULT_MAX_ACTIONS_PER_RUN;
  }

  /** Runs a flow from its StartAction for the host's contact. */
  async start(flow: FlowDocument, host: FlowHost, options: { flowId?: string } = {}): Promise<RunOutcome> {
    if (!Array.isArray(flow?.Actions)) return { status: 'failed', error: 'The flow has no Actions' };
    let state: RunState;
    try {
      // A copy, so the run keeps the flow it started with whatever the caller does with its own;
      // a frozen flow cannot change, so it is kept as it is (copying it per run is costly).
      state = {
        version: 1,
        flow: Object.isFrozen(flow) ? flow : structuredClone(flow),
        actionId: flow.StartAction,
        flowAttributes: {},
        external: {},
      };
    } catch (err) {
      return { status: 'failed', error: `The flow cannot be copied: ${message(err)}` };
    }
    if (options.flowId !== undefined) state.flowId = options.flowId;
    return this.#guard(state, () => this.#drive(state, host, undefined));
  }

  /**
   * Continues a waiting run with what happened. An event the wait is not for (a message
   * during a Wait without CustomerReturned, an early timer) leaves it waiting as it was.
   * A passed deadline counts first, whatever the event: the wait has already timed out.
   */
  async resume(saved: RunState, event: FlowEvent, host: FlowHost): Promise<RunOutcome> {
    if (!isRunState(saved)) return { status: 'failed', error: 'The run state is not a waiting run' };
    // A copy: the caller's object stays the state it stored, whatever happens here.
    const state: RunState = {
      ...saved,
      flowAttributes: { ...saved.flowAttributes },
      external: { ...saved.external },
    };
    return this.#guard(state, async () => {
      const wait = state.wait as NonNullable<RunState['wait']>;
      const action = this.#find(state, state.actionId);
      if (typeof action === 'string') return { status: 'failed', error: action, actionId: state.actionId };
      const handler = ACTIONS.get(action.Type);
      if (!handler?.resume) return { status: 'failed', error: `Action ${action.Identifier} does not wait` };
      const now = this.#clock.now();
      const timedOut = wait.deadline !== undefined && now >= wait.deadline;
      if (!timedOut && event.kind === 'timer') return this.#waiting(saved);
      const result = await handler.resume(
        await this.#context(state, host, action),
        timedOut ? { kind: 'timeout' } : event,
      );
      if (!result) return this.#waiting(saved);
      delete state.wait;
      return this.#drive(state, host, result);
    });
  }

  async #guard(state: RunState, run: () => Promise<RunOutcome>): Promise<RunOutcome> {
    try {
      return await run();
    } catch (err) {
      return {
        status: 'failed',
        error: `Action ${state.actionId} failed unexpectedly: ${message(err)}`,
        actionId: state.actionId,
      };
    }
  }

  #waiting(state: RunState): RunOutcome {
    const wakeAt = state.wait?.deadline;
    return wakeAt === undefined ? { status: 'waiting', state } : { status: 'waiting', state, wakeAt };
  }

  /** The action with that Identifier, or why there is none. */
  #find(state: RunState, id: string): FlowAction | string {
    const action = state.flow.Actions.find((a) => a?.Identifier === id);
    return action ?? `The flow has no action ${JSON.stringify(id)}`;
  }

  async #context(state: RunState, host: FlowHost, action: FlowAction): Promise<ActionContext> {
    return {
      action,
      params: action.Parameters ?? {},
      host,
      contact: await host.contact(),
      run: state,
      now: this.#clock.now(),
      random: this.#random,
    };
  }

  /**
   * Runs actions from state.actionId. `first` is the result of that action when it has
   * already run (a resumed wait); every later action runs here.
   */
  async #drive(state: RunState, host: FlowHost, first: ActionResult | undefined): Promise<RunOutcome> {
    let result = first;
    let count = 0;
    for (;;) {
      const action = this.#find(state, state.actionId);
      if (typeof action === 'string') return { status: 'failed', error: action, actionId: state.actionId };
      if (!result) {
        if (++count > this.#maxActions)
          return {
            status: 'failed',
            error: `The flow ran ${this.#maxActions} actions without waiting; it is stopped as a loop`,
            actionId: action.Identifier,
          };
        const handler = ACTIONS.get(action.Type) ?? notRun;
        result = await handler.run(await this.#context(state, host, action));
      }
      if (result.kind === 'wait') {
        state.wait = result.wait;
        return this.#waiting(state);
      }
      if (result.kind === 'end')
        return { status: 'ended', reason: result.reason, actionId: action.Identifier };
      const next = nextActionFor(action.Transitions ?? {}, result);
      if (next === undefined) {
        const error = result.kind === 'error' ? `${result.errorType}: ${result.message}` : undefined;
        return {
          status: 'ended',
          reason: 'noNextAction',
          actionId: action.Identifier,
          ...(error && { error }),
        };
      }
      state.actionId = next;
      result = undefined;
    }
  }
}

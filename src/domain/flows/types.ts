/**
 * Types shared by the flow engine, its action modules and its host. The engine is pure: every
 * effect goes through FlowHost, time through an injected Clock, chance through an injected
 * random source; everything a paused run needs is in RunState, a plain JSON object.
 */
import type { FlowAction, FlowDocument } from './flow-document.ts';

export interface QueueRef {
  id: string;
  arn: string;
  name: string;
}

/** The contact as a flow sees it; the host builds it from the store on every action. */
export interface ContactView {
  contactId: string;
  initialContactId: string;
  previousContactId?: string;
  /** VOICE, CHAT, TASK or EMAIL. */
  channel: string;
  name?: string;
  attributes: Readonly<Record<string, string>>;
  customerEndpoint?: { address: string };
  systemEndpoint?: { address: string };
  /** The TargetQueue, once UpdateContactTargetQueue (or the API) has set one. */
  queue?: QueueRef;
}

/** What UpdateContactRecordingBehavior hands the host: its static parameters, as written. */
export interface RecordingSettings {
  RecordingBehavior?: {
    RecordedParticipants?: string[];
    ScreenRecordedParticipants?: string[];
    IVRRecordingBehavior?: string;
  };
  AnalyticsBehavior?: Record<string, unknown>;
}

/**
 * The side of the world a flow touches, implemented by the chat service. A method that throws
 * fails the action that called it: the engine takes that action's NoMatchingError branch,
 * as Amazon Connect does when a block errors. Only contact() failing fails the whole run.
 */
export interface FlowHost {
  contact(): Promise<ContactView>;
  /** A SYSTEM text/plain message to the chat (MessageParticipant, prompts). */
  sendMessage(text: string): Promise<void>;
  /** All or nothing; throws when the result would break the attribute rules (e.g. 32 KB). */
  updateAttributes(attributes: Record<string, string>): Promise<void>;
  /** `queue`: a queue id or ARN; `agent`: a user id or ARN, meaning that agent's queue. */
  resolveQueue(ref: { queue: string } | { agent: string }): Promise<QueueRef | undefined>;
  setTargetQueue(queue: QueueRef): Promise<void>;
  /** Queues the contact in its TargetQueue. */
  transferToQueue(): Promise<'OK' | 'QueueAtCapacity'>;
  /** undefined id: the TargetQueue's hours. undefined result: no such hours (or no queue). */
  isWithinHours(hoursIdOrArn: string | undefined, at: number): Promise<boolean | undefined>;
  setRecordingBehavior(settings: RecordingSettings): Promise<void>;
  setEventHook(hook: string, flowIdOrArn: string): Promise<void>;
  disconnect(): Promise<void>;
}

export type FlowEvent =
  | { kind: 'customerMessage'; text: string }
  /** A timer the host set for a waiting outcome's wakeAt; early or stale timers are harmless. */
  | { kind: 'timer' }
  /** A named contact event, e.g. CustomerReturned or BotParticipantDisconnected. */
  | { kind: 'event'; name: string };

export type PendingWait =
  /** GetParticipantInput waiting for the customer's next message. */
  | { kind: 'input'; deadline?: number }
  /** Wait: until the deadline or one of the events. */
  | { kind: 'wait'; deadline: number; events: string[] };

/** A paused run. Plain JSON: the host stores it as is and hands it back to resume. */
export interface RunState {
  version: 1;
  /** The host's name for the flow, kept for its own bookkeeping. */
  flowId?: string;
  /** The flow as it was when the run started: a later UpdateContactFlowContent does not move it. */
  flow: FlowDocument;
  /** The action that is waiting. */
  actionId: string;
  wait?: PendingWait;
  /** $.FlowAttributes (nothing sets them yet; read for forward compatibility). */
  flowAttributes: Record<string, string>;
  /** $.External: the last InvokeLambdaFunction result (nothing sets it yet). */
  external: Record<string, unknown>;
  /** $.StoredCustomerInput */
  storedInput?: string;
}

export type EndReason =
  /** DisconnectParticipant ran: the host has been asked to disconnect. */
  | 'disconnected'
  /** TransferContactToQueue succeeded: the contact waits in its queue. */
  | 'queued'
  /** EndFlowExecution: the host ends the contact unless it is queued. */
  | 'endFlow'
  /** No transition applied: the host ends the contact unless it is queued. */
  | 'noNextAction';

export type RunOutcome =
  | { status: 'waiting'; state: RunState; wakeAt?: number }
  /** `error`: why the last action failed, when the flow ended because nothing handled it. */
  | { status: 'ended'; reason: EndReason; actionId: string; error?: string }
  /** The run could not go on (a loop, a broken flow or state, a bug): the host disconnects. */
  | { status: 'failed'; error: string; actionId?: string };

export type ActionResult =
  /** Success; `result` is what Conditions test. */
  | { kind: 'next'; result?: string }
  | { kind: 'error'; errorType: string; message: string }
  | { kind: 'wait'; wait: PendingWait }
  | { kind: 'end'; reason: 'disconnected' | 'queued' | 'endFlow' };

/** Everything an action needs; `run` is a copy the engine owns, so actions may change it. */
export interface ActionContext {
  action: FlowAction;
  params: Record<string, unknown>;
  host: FlowHost;
  contact: ContactView;
  run: RunState;
  now: number;
  /** A number in [0, 1), like Math.random. */
  random(): number;
}

/** Save-time checks of one action; `problem` prefixes the action's Identifier. */
export interface ActionValidation {
  action: FlowAction;
  params: Record<string, unknown>;
  conditions: { Operator: string; Operands: unknown[] }[];
  errorTypes: string[];
  problem(message: string): void;
}

/** One action type: the strategy the engine picks from the table by the action's Type. */
export interface ActionHandler {
  /** Error types beyond the common NoMatchingError and NoMatchingCondition. */
  readonly errorTypes?: readonly string[];
  /** The action has a result, so it may have Conditions. */
  readonly hasResult?: boolean;
  /** DisconnectParticipant / EndFlowExecution: Transitions must be {}. */
  readonly terminal?: boolean;
  validate?(v: ActionValidation): void;
  run(ctx: ActionContext): Promise<ActionResult>;
  /**
   * Continues a waiting action. 'timeout' means its deadline has passed. undefined: the event
   * is not one this wait is for, and it keeps waiting.
   */
  resume?(ctx: ActionContext, event: FlowEvent | { kind: 'timeout' }): Promise<ActionResult | undefined>;
}

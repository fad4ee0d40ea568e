/**
 * The action table: Type → strategy. Types the flow language knows but this engine does not
 * run are accepted at save time (designer exports use them) and fail with NoMatchingError
 * at run time, so a flow's error branch decides what happens, as for any failing block.
 */
import { fail } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';
import { checkHoursOfOperation } from './check-hours-of-operation.ts';
import { compare } from './compare.ts';
import { disconnectParticipant } from './disconnect-participant.ts';
import { distributeByPercentage } from './distribute-by-percentage.ts';
import { endFlowExecution } from './end-flow-execution.ts';
import { getParticipantInput } from './get-participant-input.ts';
import { messageParticipant } from './message-participant.ts';
import { transferContactToQueue } from './transfer-contact-to-queue.ts';
import { updateContactAttributes } from './update-contact-attributes.ts';
import { updateContactEventHooks } from './update-contact-event-hooks.ts';
import { updateContactRecordingBehavior } from './update-contact-recording-behavior.ts';
import { updateContactTargetQueue } from './update-contact-target-queue.ts';
import { wait } from './wait.ts';

// A Map, not an object: a Type such as "constructor" must not find Object.prototype's.
export const ACTIONS: ReadonlyMap<string, ActionHandler> = new Map([
  ['CheckHoursOfOperation', checkHoursOfOperation],
  ['Compare', compare],
  ['DisconnectParticipant', disconnectParticipant],
  ['DistributeByPercentage', distributeByPercentage],
  ['EndFlowExecution', endFlowExecution],
  ['GetParticipantInput', getParticipantInput],
  ['MessageParticipant', messageParticipant],
  ['TransferContactToQueue', transferContactToQueue],
  ['UpdateContactAttributes', updateContactAttributes],
  ['UpdateContactEventHooks', updateContactEventHooks],
  ['UpdateContactRecordingBehavior', updateContactRecordingBehavior],
  ['UpdateContactTargetQueue', updateContactTargetQueue],
  ['Wait', wait],
]);

/** The other action types of the flow language reference (participant, contact, flow control, interactions). */
const NOT_RUN = [
  // Participant actions
  'ConnectParticipantWithLexBot',
  'MessageParticipantIteratively',
  'ShowView',
  // Contact actions
  'CompleteOutboundCall',
  'CreateCase',
  'CreateTask',
  'CreateWisdomSession',
  'DequeueContactAndTransferToQueue',
  'EndFlowModuleExecution',
  'GetCase',
  'InvokeFlowModule',
  'ResumeContact',
  'StartOutboundChatContact',
  'TagContact',
  'TransferContactToAgent',
  'UnTagContact',
  'UpdateCase',
  'UpdateContactCallbackNumber',
  'UpdateContactData',
  'UpdateContactMediaProcessing',
  'UpdateContactMediaStreamingBehavior',
  'UpdateContactRecordingAndAnalyticsBehavior',
  'UpdateContactRoutingBehavior',
  'UpdateContactTextToSpeechVoice',
  'UpdatePreviousContactParticipantState',
  // Flow control actions
  'CheckMetricData',
  'CheckOutboundCallStatus',
  'CheckVoiceId',
  'GetMetricData',
  'Loop',
  'StartVoiceIdStream',
  'TransferToFlow',
  'UpdateFlowAttributes',
  'UpdateFlowLoggingBehavior',
  'UpdateRoutingCriteria',
  // Interactions
  'AssociateContactToCustomerProfile',
  'CreateCallbackContact',
  'CreateCustomerProfile',
  'GetCalculatedAttributesForCustomerProfile',
  'GetCustomerProfile',
  'GetCustomerProfileObject',
  'InvokeLambdaFunction',
  'UpdateCustomerProfile',
  // Seen in designer exports but not on the reference's lists (unverified): transfer to a
  // phone number, and the older name of InvokeLambdaFunction.
  'TransferParticipantToThirdParty',
  'InvokeExternalResource',
];

export const KNOWN_ACTION_TYPES: ReadonlySet<string> = new Set([...ACTIONS.keys(), ...NOT_RUN]);

/** The strategy for a Type the engine does not run. */
export const notRun: ActionHandler = {
  async run(ctx) {
    return fail(`${ctx.action.Type} is not supported by this flow engine`);
  },
};

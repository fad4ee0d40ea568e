/**
 * EndFlowExecution: ends the flow without disconnecting anyone; the host ends the contact
 * unless it is queued. The docs allow it only in whisper and customer-queue flows; the flow
 * type is not known here, so it is accepted in any flow.
 */
import type { ActionHandler } from '../types.ts';

export const endFlowExecution: ActionHandler = {
  terminal: true,
  async run() {
    return { kind: 'end', reason: 'endFlow' };
  },
};

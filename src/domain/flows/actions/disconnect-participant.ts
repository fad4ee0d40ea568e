/** DisconnectParticipant: ends the chat (the host emits participant.left, then chat.ended). */
import { attempt } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';

export const disconnectParticipant: ActionHandler = {
  terminal: true,
  async run(ctx) {
    // A failed disconnect has no branch (Transitions are {}), so the flow ends with that
    // error and the host, told the contact is not queued, ends the contact itself.
    return (
      (await attempt('Disconnecting', () => ctx.host.disconnect())) ?? { kind: 'end', reason: 'disconnected' }
    );
  },
};

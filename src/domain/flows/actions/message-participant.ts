/** MessageParticipant (Play prompt): one SYSTEM text message to the chat. */
import { attempt, checkPrompt, fail, ok, promptText } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';

export const messageParticipant: ActionHandler = {
  validate: (v) => checkPrompt(v, true),
  async run(ctx) {
    const text = promptText(ctx);
    if (typeof text !== 'string') return text;
    // A chat refuses empty messages; failing here names the cause (e.g. a missing attribute).
    if (text.trim() === '') return fail('Text resolves to an empty message');
    return (await attempt('Sending the message', () => ctx.host.sendMessage(text))) ?? ok();
  },
};

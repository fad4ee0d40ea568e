/**
 * UpdateContactEventHooks (Set customer queue / hold / whisper / disconnect / event flow):
 * one hook per action, its flow given statically or by one JSONPath.
 */
import { attempt, fail, ok, runData } from '../action-support.ts';
import type { ActionHandler } from '../types.ts';
import { hasReference, isSingleReference, staticOrReference } from '../values.ts';

export const EVENT_HOOKS = [
  'AgentHold',
  'AgentWhisper',
  'CustomerHold',
  'CustomerQueue',
  'CustomerRemaining',
  'CustomerWhisper',
  'DefaultAgentUI',
  'DisconnectAgentUI',
  'PauseContact',
  'ResumeContact',
];

export const updateContactEventHooks: ActionHandler = {
  validate(v) {
    const hooks = v.params.EventHooks;
    if (!hooks || typeof hooks !== 'object' || Array.isArray(hooks) || Object.keys(hooks).length !== 1) {
      v.problem('EventHooks must be an object with exactly one entry');
      return;
    }
    const [[hook, flow]] = Object.entries(hooks);
    if (!EVENT_HOOKS.includes(hook)) v.problem(`${hook} is not an event hook (${EVENT_HOOKS.join(', ')})`);
    if (typeof flow !== 'string' || flow.trim() === '')
      v.problem(`the flow of ${hook} must be a non-empty string`);
    else if (hasReference(flow) && !isSingleReference(flow))
      v.problem(`the flow of ${hook} must be fully static or a single JSONPath`);
  },
  async run(ctx) {
    const [[hook, raw]] = Object.entries(ctx.params.EventHooks as Record<string, string>);
    const flow = staticOrReference(raw, runData(ctx));
    if (!flow) return fail(`the flow of ${hook} (${raw}) resolves to nothing`);
    return (await attempt(`Setting the ${hook} hook`, () => ctx.host.setEventHook(hook, flow))) ?? ok();
  },
};

/** Helpers the action modules share: results, host calls, parameter checks, prompts. */
import { NO_MATCHING_ERROR } from './conditions.ts';
import type { ActionContext, ActionResult, ActionValidation } from './types.ts';
import { hasReference, interpolate, isSingleReference, staticOrReference, type RunData } from './values.ts';

export const ok = (result?: string): ActionResult => ({ kind: 'next', result });

export const fail = (message: string, errorType = NO_MATCHING_ERROR): ActionResult => ({
  kind: 'error',
  errorType,
  message,
});

export const runData = (ctx: ActionContext): RunData => ({ contact: ctx.contact, run: ctx.run });

/**
 * Calls the host for the action's effect. A throw is the action failing (NoMatchingError),
 * as a block erroring is on Amazon Connect; it is not a crash of the run.
 */
export async function attempt(
  what: string,
  effect: () => Promise<unknown>,
): Promise<ActionResult | undefined> {
  try {
    await effect();
    return undefined;
  } catch (err) {
    return fail(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A static integer parameter, written as a string ("300") or, leniently, as a JSON number. */
export function integerParam(value: unknown, min: number, max: number): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : undefined;
}

export function isTrueFalse(value: unknown): value is 'True' | 'False' {
  return value === 'True' || value === 'False';
}

/** A parameter that must be fully static or exactly one JSONPath. */
export function checkStaticOrReference(v: ActionValidation, name: string, required: boolean): void {
  const value = v.params[name];
  if (value === undefined) {
    if (required) v.problem(`${name} is required`);
  } else if (typeof value !== 'string' || value.trim() === '') {
    v.problem(`${name} must be a non-empty string`);
  } else if (hasReference(value) && !isSingleReference(value)) {
    v.problem(`${name} must be fully static or a single JSONPath`);
  }
}

/** Runtime side of checkStaticOrReference: the value, or NoMatchingError when it names nothing. */
export function resolveParam(ctx: ActionContext, name: string): string | ActionResult {
  const raw = ctx.params[name];
  const value = typeof raw === 'string' ? staticOrReference(raw, runData(ctx)) : undefined;
  return value === undefined || value === ''
    ? fail(`${name} ${JSON.stringify(raw)} resolves to nothing`)
    : value;
}

const PROMPTS = ['Text', 'PromptId', 'SSML', 'Media'] as const;

/** MessageParticipant needs exactly one prompt, GetParticipantInput at most one. */
export function checkPrompt(v: ActionValidation, required: boolean): void {
  const given = PROMPTS.filter((p) => v.params[p] !== undefined);
  if (given.length > 1) v.problem(`only one of ${PROMPTS.join(', ')} may be given (got ${given.join(', ')})`);
  if (required && given.length === 0) v.problem(`one of ${PROMPTS.join(', ')} is required`);
  for (const p of ['Text', 'SSML'] as const) {
    const value = v.params[p];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === ''))
      v.problem(`${p} must be a non-empty string`);
  }
  if (v.params.PromptId !== undefined) checkStaticOrReference(v, 'PromptId', false);
  const media = v.params.Media as Record<string, unknown> | undefined;
  if (media !== undefined) {
    if (!media || typeof media !== 'object' || typeof media.Uri !== 'string') {
      v.problem('Media must be an object with a Uri');
    } else {
      if (media.SourceType !== 'S3') v.problem('Media.SourceType must be "S3"');
      if (media.MediaType !== 'Audio') v.problem('Media.MediaType must be "Audio"');
    }
  }
}

/**
 * The text a prompt sends, "" when there is no prompt, or NoMatchingError for the voice-only
 * kinds (PromptId, SSML, Media): saved flows may carry them, chats cannot play them.
 */
export function promptText(ctx: ActionContext): string | ActionResult {
  const ssml = ctx.params.SSML;
  // A call speaks SSML as its words (the speech synthesizer reads plain text).
  if (ctx.contact.channel === 'VOICE' && typeof ssml === 'string')
    return ssmlWords(interpolate(ssml, runData(ctx)));
  const voiceOnly = PROMPTS.find((p) => p !== 'Text' && ctx.params[p] !== undefined);
  if (voiceOnly)
    return fail(
      ctx.contact.channel === 'VOICE'
        ? `${voiceOnly} prompts (audio files) are not available; a call speaks Text or SSML`
        : `${voiceOnly} prompts are voice-only; the ${ctx.contact.channel} channel uses Text`,
    );
  const text = ctx.params.Text;
  return typeof text === 'string' ? interpolate(text, runData(ctx)) : '';
}

/** The words of an SSML document: its tags dropped, XML's five entities read. */
function ssmlWords(ssml: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return ssml
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => entities[e])
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every condition must be Equals (Wait, GetParticipantInput, CheckHoursOfOperation). */
export function checkEqualsOnly(v: ActionValidation): void {
  for (const c of v.conditions) {
    if (c?.Operator !== 'Equals') v.problem(`only Equals conditions are allowed, not ${c?.Operator}`);
  }
}

/** The operands of the (Equals) conditions, for coverage checks. */
export const equalsOperands = (v: ActionValidation): unknown[] =>
  v.conditions.filter((c) => c?.Operator === 'Equals').map((c) => c.Operands?.[0]);

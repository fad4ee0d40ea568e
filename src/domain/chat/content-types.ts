/** Chat message content types Amazon Connect accepts, and each one's length limit in characters. */

export const MESSAGE_CONTENT_LIMITS: Record<string, number> = {
  'text/plain': 1024,
  'text/markdown': 1024,
  'application/json': 12_000,
  'application/vnd.amazonaws.connect.message.interactive': 12_000,
  'application/vnd.amazonaws.connect.message.interactive.response': 12_288,
};

/** What a chat supports when StartChatContact names no SupportedMessagingContentTypes. */
export const DEFAULT_SUPPORTED_TYPES = ['text/plain'];

/** Why `types` cannot be a chat's SupportedMessagingContentTypes, or undefined if it can. */
export function supportedTypesProblem(types: string[]): string | undefined {
  const unknown = types.filter((t) => !(t in MESSAGE_CONTENT_LIMITS));
  if (unknown.length > 0) {
    return `Unsupported messaging content types: ${unknown.join(', ')}. Supported: ${Object.keys(MESSAGE_CONTENT_LIMITS).join(', ')}`;
  }
  if (!types.includes('text/plain')) return 'SupportedMessagingContentTypes must include text/plain';
  return undefined;
}

/** Why this message cannot be sent on a chat supporting `supported`, or undefined if it can. */
export function messageProblem(
  contentType: string,
  content: string,
  supported: string[],
): string | undefined {
  if (!supported.includes(contentType)) {
    return `Content type ${contentType} is not supported by this chat (supported: ${supported.join(', ')})`;
  }
  const limit = MESSAGE_CONTENT_LIMITS[contentType];
  if (content.length > limit) {
    return `Content of type ${contentType} is ${content.length} characters; the limit is ${limit}`;
  }
  return undefined;
}

/** The Participant Service (Amazon Connect's ConnectParticipant API), as the agent's participant. */
import type { ChatItem } from './types.ts';

export class ParticipantError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ParticipantError';
    this.status = status;
    this.code = code;
  }
}

/**
 * A v4 UUID from getRandomValues: crypto.randomUUID exists only in secure contexts, and a
 * self-hosted node is often reached over plain http on a LAN address.
 */
export function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function call<T>(path: string, connectionToken: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/participant/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-bearer': connectionToken },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ParticipantError(0, 'NetworkError', 'The server cannot be reached.');
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    // restJson errors name their type in a header, and sometimes in the body as well.
    const code = (res.headers.get('x-amzn-errortype') ?? String(data.__type ?? `HTTP${res.status}`)).split(
      ':',
    )[0];
    const message = String(data.message ?? data.Message ?? `${res.status} ${res.statusText}`);
    throw new ParticipantError(res.status, code, message);
  }
  return data as T;
}

export type Sent = { Id: string; AbsoluteTime: string };

export const participant = {
  sendMessage: (token: string, text: string, clientToken: string) =>
    call<Sent>('message', token, { ContentType: 'text/plain', Content: text, ClientToken: clientToken }),

  sendEvent: (token: string, contentType: string, content?: string) =>
    call<Sent>('event', token, {
      ContentType: contentType,
      ...(content !== undefined ? { Content: content } : {}),
      ClientToken: randomId(),
    }),

  /**
   * The whole transcript, oldest first. It is read backward from the most recent item (the
   * default start, on Amazon Connect as here), each page sorted ascending and put in front of
   * the pages read before it.
   */
  async fullTranscript(token: string): Promise<ChatItem[]> {
    let items: ChatItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call<{ Transcript?: ChatItem[]; NextToken?: string }>('transcript', token, {
        MaxResults: 100,
        ScanDirection: 'BACKWARD',
        SortOrder: 'ASCENDING',
        ...(nextToken ? { NextToken: nextToken } : {}),
      });
      items = [...(page.Transcript ?? []), ...items];
      nextToken = page.NextToken;
    } while (nextToken);
    return items;
  },
};

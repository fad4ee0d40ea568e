/**
 * GetTranscript over a chat's stored items: the start position (an item Id, a time, or the
 * N most recent), scan direction and sort order as the Participant API defines them, with
 * opaque NextTokens. Receipts are not items of their own here: they are folded into the
 * MessageMetadata of the message they are for.
 */
import type { StoreTx } from '../../ports/store.ts';
import { ValidationException } from '../../generated/connectparticipant/errors.ts';
import type { ChatItem } from './chat-item.ts';

export interface TranscriptQuery {
  MaxResults?: number;
  NextToken?: string;
  ScanDirection?: 'FORWARD' | 'BACKWARD';
  SortOrder?: 'ASCENDING' | 'DESCENDING';
  StartPosition?: { Id?: string; AbsoluteTime?: string; MostRecent?: number };
}

const DEFAULT_MAX_RESULTS = 10;
const PAGE = 100;

interface Cursor {
  /** Next position to read, exclusive bound. */
  at: number;
  forward: boolean;
}

const encode = (c: Cursor) => Buffer.from(JSON.stringify([c.at, c.forward ? 1 : 0])).toString('base64url');

function decode(token: string): Cursor {
  try {
    const [at, forward] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [unknown, unknown];
    if (Number.isSafeInteger(at) && (forward === 0 || forward === 1))
      return { at: at as number, forward: forward === 1 };
  } catch {
    // fall through
  }
  throw new ValidationException('Invalid NextToken');
}

export async function readTranscript(
  tx: StoreTx,
  chatId: string,
  q: TranscriptQuery,
): Promise<{ Transcript: ChatItem[]; NextToken?: string }> {
  const limit = q.MaxResults ?? DEFAULT_MAX_RESULTS;
  // An empty page asked for is an empty page, not a cursor that never moves.
  if (limit === 0) return { Transcript: [] };
  const start = q.StartPosition ?? {};
  const hasStart =
    start.Id !== undefined || start.AbsoluteTime !== undefined || start.MostRecent !== undefined;
  if ([start.Id, start.AbsoluteTime, start.MostRecent].filter((v) => v !== undefined).length > 1) {
    throw new ValidationException('StartPosition takes one of Id, AbsoluteTime or MostRecent');
  }
  let cursor: Cursor;
  if (q.NextToken !== undefined) {
    cursor = decode(q.NextToken);
  } else {
    const forward = (q.ScanDirection ?? (hasStart ? 'FORWARD' : 'BACKWARD')) === 'FORWARD';
    cursor = { at: forward ? 0 : Number.MAX_SAFE_INTEGER, forward };
    if (start.Id !== undefined) {
      const found = await tx.chatItems.get(chatId, start.Id);
      if (!found) throw new ValidationException(`No item ${start.Id} in this chat`);
      // Inclusive of the item itself.
      cursor.at = forward ? found.seq - 1 : found.seq + 1;
    } else if (start.AbsoluteTime !== undefined) {
      const t = Date.parse(start.AbsoluteTime);
      if (Number.isNaN(t))
        throw new ValidationException('StartPosition.AbsoluteTime is not an ISO-8601 time');
      cursor.at = await positionAt(tx, chatId, t, forward);
    } else if (start.MostRecent !== undefined) {
      const recent = await tx.chatItems.list(chatId, { order: 'desc', limit: Math.max(1, start.MostRecent) });
      const oldest = recent.length > 0 ? recent[recent.length - 1].seq : 1;
      cursor.at = forward ? oldest - 1 : Number.MAX_SAFE_INTEGER;
    }
  }
  const items: { seq: number; item: ChatItem }[] = [];
  let at = cursor.at;
  let exhausted = false;
  while (items.length < limit && !exhausted) {
    const page = await tx.chatItems.list(
      chatId,
      cursor.forward ? { order: 'asc', after: at, limit: PAGE } : { order: 'desc', before: at, limit: PAGE },
    );
    exhausted = page.length < PAGE;
    for (const s of page) {
      at = s.seq;
      const item = s.item as unknown as ChatItem;
      if (item.Type === 'MESSAGEMETADATA') continue;
      items.push({ seq: s.seq, item });
      if (items.length === limit) break;
    }
  }
  const more = items.length === limit && (await hasMore(tx, chatId, at, cursor.forward));
  const ascending = (q.SortOrder ?? 'DESCENDING') === 'ASCENDING';
  items.sort((a, b) => (ascending ? a.seq - b.seq : b.seq - a.seq));
  return {
    Transcript: items.map((i) => i.item),
    ...(more ? { NextToken: encode({ at, forward: cursor.forward }) } : {}),
  };
}

async function hasMore(tx: StoreTx, chatId: string, at: number, forward: boolean): Promise<boolean> {
  const next = await tx.chatItems.list(
    chatId,
    forward ? { order: 'asc', after: at, limit: 1 } : { order: 'desc', before: at, limit: 1 },
  );
  return next.length > 0;
}

/** The cursor for "items at or after t" (forward) or "at or before t" (backward). */
async function positionAt(tx: StoreTx, chatId: string, t: number, forward: boolean): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await tx.chatItems.list(chatId, { order: 'asc', after, limit: PAGE });
    for (const s of page) {
      const time = Date.parse((s.item as unknown as ChatItem).AbsoluteTime);
      if (forward && time >= t) return s.seq - 1;
      if (!forward && time > t) return s.seq;
    }
    if (page.length < PAGE) return forward ? Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
    after = page[page.length - 1].seq;
  }
}

/**
 * A chat's items as the workspace shows them: merged from GetTranscript and the chat websocket
 * by Id, in time order, with receipts folded into the messages they are for (GetTranscript
 * already answers them folded; the websocket sends them as MESSAGEMETADATA items).
 */
import { contentTypes, type ChatItem, type Receipt } from './types.ts';

const time = (item: ChatItem) => Date.parse(item.AbsoluteTime) || 0;

function mergeReceipts(a: Receipt[] = [], b: Receipt[] = []): Receipt[] {
  const out = a.map((r) => ({ ...r }));
  for (const r of b) {
    const mine = out.find((x) => x.RecipientParticipantId === r.RecipientParticipantId);
    if (!mine) out.push({ ...r });
    else {
      mine.DeliveredTimestamp = mine.DeliveredTimestamp ?? r.DeliveredTimestamp;
      mine.ReadTimestamp = mine.ReadTimestamp ?? r.ReadTimestamp;
    }
  }
  return out;
}

/** The same item seen twice: the later copy's fields win where it has them; receipts add up. */
function mergeSame(old: ChatItem, next: ChatItem): ChatItem {
  const defined = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined));
  const merged: ChatItem = { ...old, ...defined };
  const receipts = mergeReceipts(old.MessageMetadata?.Receipts, next.MessageMetadata?.Receipts);
  if (receipts.length > 0) merged.MessageMetadata = { MessageId: old.Id, Receipts: receipts };
  return merged;
}

function applyReceipt(items: ChatItem[], meta: ChatItem): ChatItem[] {
  const id = meta.MessageMetadata?.MessageId;
  const at = id === undefined ? -1 : items.findIndex((i) => i.Id === id);
  if (at < 0) return items;
  const out = items.slice();
  out[at] = mergeSame(items[at], { ...items[at], MessageMetadata: meta.MessageMetadata });
  return out;
}

/** Whether an item is one the transcript keeps (typing is fleeting; receipts are folded). */
export function isTranscriptItem(item: ChatItem): boolean {
  return item.Type !== 'MESSAGEMETADATA' && !item.ContentType.endsWith('.typing');
}

/** Adds one live item: after everything not later than it, so arrival order breaks ties. */
export function addItem(items: ChatItem[], item: ChatItem): ChatItem[] {
  if (item.Type === 'MESSAGEMETADATA') return applyReceipt(items, item);
  if (!isTranscriptItem(item)) return items;
  const same = items.findIndex((i) => i.Id === item.Id);
  if (same >= 0) {
    const out = items.slice();
    out[same] = mergeSame(items[same], item);
    return out;
  }
  const t = time(item);
  let at = items.length;
  while (at > 0 && time(items[at - 1]) > t) at--;
  return [...items.slice(0, at), item, ...items.slice(at)];
}

/**
 * Merges a transcript read with what the websocket already delivered: the transcript's own
 * order stands, live items it does not have yet are added by time.
 */
export function addTranscript(items: ChatItem[], transcript: ChatItem[]): ChatItem[] {
  const live = new Map(items.map((i) => [i.Id, i]));
  const merged = transcript.filter(isTranscriptItem).map((i) => {
    const seen = live.get(i.Id);
    live.delete(i.Id);
    return seen ? mergeSame(i, seen) : i;
  });
  let out = merged;
  for (const rest of live.values()) out = addItem(out, rest);
  return out;
}

export type ReceiptLabel = 'Delivered' | 'Read';

/**
 * The receipt shown under my messages: "Read" under the last one someone else has read, and
 * "Delivered" under the last one delivered, if that is later.
 */
export function receiptLabels(items: ChatItem[], me: string | undefined): Map<string, ReceiptLabel> {
  const labels = new Map<string, ReceiptLabel>();
  if (!me) return labels;
  let lastRead: ChatItem | undefined;
  let lastDelivered: ChatItem | undefined;
  for (const item of items) {
    if (item.Type !== 'MESSAGE' || item.ParticipantId !== me) continue;
    const others = (item.MessageMetadata?.Receipts ?? []).filter((r) => r.RecipientParticipantId !== me);
    if (others.some((r) => r.ReadTimestamp)) {
      lastRead = item;
      lastDelivered = undefined;
    } else if (others.some((r) => r.DeliveredTimestamp)) lastDelivered = item;
  }
  if (lastRead) labels.set(lastRead.Id, 'Read');
  if (lastDelivered) labels.set(lastDelivered.Id, 'Delivered');
  return labels;
}

/** Whether `me` has already sent this kind of receipt for a message (as the server knows it). */
export function hasReceiptFrom(item: ChatItem, me: string, kind: 'delivered' | 'read'): boolean {
  const r = item.MessageMetadata?.Receipts?.find((x) => x.RecipientParticipantId === me);
  if (!r) return false;
  return kind === 'read' ? Boolean(r.ReadTimestamp) : Boolean(r.DeliveredTimestamp || r.ReadTimestamp);
}

/**
 * Whether the customer has left a chat the agent is still in. Read from the items, so a
 * reloaded workspace knows it from the transcript as a live one does from the socket.
 */
export function customerHasLeft(items: ChatItem[]): boolean {
  return items.some((i) => i.ContentType === contentTypes.left && i.ParticipantRole === 'CUSTOMER');
}

/**
 * A chat transcript item as Amazon Connect shapes it on the websocket, in GetTranscript and
 * in SNS streaming. `seq` is the store-assigned position in the chat (the delivery order);
 * it never leaves the server.
 */
export type ChatItemType = 'MESSAGE' | 'EVENT' | 'ATTACHMENT' | 'MESSAGEMETADATA';
export type ChatRole = 'CUSTOMER' | 'AGENT' | 'SYSTEM' | 'CUSTOM_BOT' | 'SUPERVISOR';

export interface ChatItem {
  Id: string;
  AbsoluteTime: string;
  Type: ChatItemType;
  ContentType: string;
  Content?: string;
  ParticipantId?: string;
  DisplayName?: string;
  ParticipantRole?: ChatRole;
  MessageMetadata?: { MessageId: string; Receipts?: Receipt[] };
  ContactId: string;
  InitialContactId: string;
}

export interface Receipt {
  RecipientParticipantId: string;
  DeliveredTimestamp?: string;
  ReadTimestamp?: string;
}

/** What the EventBus carries on topics.chat(initialContactId). */
export interface ChatEvent {
  /** Store order for transcript items; undefined for ephemeral events (typing). */
  seq?: number;
  item: ChatItem;
  /** The chat ended with this item: sockets close after delivering it. */
  ended?: boolean;
  /**
   * The participant whose right to the chat ends with this item: they left a chat that goes on,
   * or their session ended (an agent signed out or deleted) and the chat ends after them.
   */
  revokes?: string;
}

export const EVENT = 'application/vnd.amazonaws.connect.event.';
export const contentTypes = {
  typing: `${EVENT}typing`,
  joined: `${EVENT}participant.joined`,
  left: `${EVENT}participant.left`,
  ended: `${EVENT}chat.ended`,
  delivered: `${EVENT}message.delivered`,
  read: `${EVENT}message.read`,
  acknowledged: `${EVENT}connection.acknowledged`,
};

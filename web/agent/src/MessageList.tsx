import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { PendingMessage } from './chat-connection.ts';
import { formatTime } from './format.ts';
import { receiptLabels } from './transcript.ts';
import { contentTypes, type ChatItem } from './types.ts';

const NOTICES: Record<string, (name: string) => string> = {
  [contentTypes.joined]: (name) => `${name} joined the chat`,
  [contentTypes.left]: (name) => `${name} left the chat`,
  [contentTypes.ended]: () => 'Chat ended',
};

/** Within this long, messages from one sender share the name and time above the first. */
const GROUP_MS = 5 * 60_000;

export function MessageList({
  items,
  pending,
  me,
  loading,
  onRetry,
  onDiscard,
}: {
  items: ChatItem[];
  pending: PendingMessage[];
  me: string | undefined;
  loading: boolean;
  onRetry: (localId: string) => void;
  onDiscard: (localId: string) => void;
}) {
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const receipts = useMemo(() => receiptLabels(items, me), [items, me]);

  // Follows the conversation unless the agent has scrolled up to read something.
  useLayoutEffect(() => {
    const el = list.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [items, pending]);
  useEffect(() => {
    const el = list.current;
    if (!el) return;
    // A narrower window re-wraps the messages: stay at the newest one.
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  let previous: ChatItem | undefined;
  const rows = [];
  for (const item of items) {
    if (item.Type === 'MESSAGE' || item.Type === 'ATTACHMENT') {
      const grouped =
        previous !== undefined &&
        previous.ParticipantId === item.ParticipantId &&
        Date.parse(item.AbsoluteTime) - Date.parse(previous.AbsoluteTime) < GROUP_MS;
      rows.push(
        <MessageRow
          key={item.Id}
          item={item}
          own={me !== undefined && item.ParticipantId === me}
          showHeader={!grouped}
          receipt={receipts.get(item.Id)}
        />,
      );
      previous = item;
    } else if (NOTICES[item.ContentType]) {
      const name = item.DisplayName || roleName(item.ParticipantRole);
      rows.push(
        <li
          key={item.Id}
          className="event-notice"
          data-testid="event-notice"
          data-id={item.Id}
          data-type={item.ContentType.split('.').slice(-2).join('.')}
        >
          <span>{NOTICES[item.ContentType](name)}</span>
          <time dateTime={item.AbsoluteTime}>{formatTime(item.AbsoluteTime)}</time>
        </li>,
      );
      previous = undefined;
    }
  }

  return (
    <ol
      className="transcript"
      data-testid="transcript"
      ref={list}
      aria-label="Transcript"
      aria-live="polite"
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {loading && <li className="transcript-loading">Loading the transcript…</li>}
      {rows}
      {pending.map((p) => (
        <li key={p.localId} className={`message own pending${p.failed ? ' failed' : ''}`} data-role="AGENT">
          <div className="bubble">
            <div className="message-text">{p.text}</div>
          </div>
          <div className="message-status">
            {p.failed ? (
              <>
                <span className="send-failed">Not sent: {p.failed}</span>
                <button type="button" className="link-btn" onClick={() => onRetry(p.localId)}>
                  Retry
                </button>
                <button type="button" className="link-btn" onClick={() => onDiscard(p.localId)}>
                  Discard
                </button>
              </>
            ) : (
              'Sending…'
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}

function roleName(role: string | undefined): string {
  switch (role) {
    case 'CUSTOMER':
      return 'Customer';
    case 'AGENT':
      return 'Agent';
    case 'CUSTOM_BOT':
      return 'Bot';
    case 'SUPERVISOR':
      return 'Supervisor';
    default:
      return 'System';
  }
}

function MessageRow({
  item,
  own,
  showHeader,
  receipt,
}: {
  item: ChatItem;
  own: boolean;
  showHeader: boolean;
  receipt: string | undefined;
}) {
  const role = item.ParticipantRole ?? 'SYSTEM';
  const kind = own ? 'own' : role === 'CUSTOMER' ? 'customer' : role === 'AGENT' ? 'agent' : 'system';
  // Amazon Connect names the flow's messages SYSTEM_MESSAGE.
  const name = own
    ? 'You'
    : item.DisplayName && item.DisplayName !== 'SYSTEM_MESSAGE'
      ? item.DisplayName
      : roleName(role);
  return (
    <li className={`message ${kind}`} data-testid="message" data-role={role} data-id={item.Id}>
      {showHeader && (
        <div className="message-meta">
          <span className="message-name">{name}</span>
          <time dateTime={item.AbsoluteTime}>{formatTime(item.AbsoluteTime)}</time>
        </div>
      )}
      <div className="bubble" title={showHeader ? undefined : formatTime(item.AbsoluteTime)}>
        <div className="message-text" data-testid="message-text">
          {messageText(item)}
        </div>
      </div>
      {receipt && (
        <div className="receipt" data-testid="receipt">
          {receipt}
        </div>
      )}
    </li>
  );
}

/** What to show for a message: its text, or a short description of what it is when it is not text. */
function messageText(item: ChatItem): string {
  if (item.Type === 'ATTACHMENT') return '(attachment)';
  const content = item.Content ?? '';
  if (item.ContentType === 'text/plain' || item.ContentType === 'text/markdown') return content;
  if (item.ContentType.startsWith('application/vnd.amazonaws.connect.message.interactive')) {
    try {
      const parsed = JSON.parse(content) as { data?: { content?: { title?: string } } };
      const title = parsed.data?.content?.title;
      return title ? `[Interactive] ${title}` : '[Interactive message]';
    } catch {
      return '[Interactive message]';
    }
  }
  return content;
}

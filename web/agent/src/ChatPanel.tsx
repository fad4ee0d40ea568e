import type { ChatConnection, ChatSnapshot } from './chat-connection.ts';
import { Compose } from './Compose.tsx';
import { MessageList } from './MessageList.tsx';
import { customerHasLeft } from './transcript.ts';

export function ChatPanel({
  chat,
  snap,
  canSend,
}: {
  chat: ChatConnection;
  snap: ChatSnapshot;
  canSend: boolean;
}) {
  // The agent stays in a chat the customer has left until they end it; nobody would read a message.
  const left = canSend && customerHasLeft(snap.items);
  return (
    <div className="chat-panel">
      {left && (
        <p className="banner banner-left" role="status" data-testid="customer-left">
          <strong>The customer left the chat.</strong> End the chat to go to after-contact work.
        </p>
      )}
      {snap.status === 'reconnecting' && (
        <p className="banner banner-warn" role="status">
          Reconnecting to the chat…
        </p>
      )}
      {snap.error && snap.status !== 'closed' && (
        <p className="banner banner-error" role="alert">
          {snap.error}
        </p>
      )}
      <MessageList
        items={snap.items}
        pending={snap.pending}
        me={snap.participantId}
        loading={!snap.loaded && snap.items.length === 0}
        onRetry={(id) => void chat.retry(id)}
        onDiscard={(id) => chat.discard(id)}
      />
      <div className="typing-slot" aria-live="polite">
        {snap.typing && (
          <span className="typing-indicator" data-testid="typing-indicator">
            <span className="typing-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {snap.typing.name} is typing…
          </span>
        )}
      </div>
      {canSend && <Compose chat={chat} closed={left} />}
    </div>
  );
}

import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ChatConnection } from './chat-connection.ts';

/** Amazon Connect's limit for a text/plain message. */
const MAX_LENGTH = 1024;

/** `closed`: nobody is left to read a message (the customer has gone); sending is off. */
export function Compose({ chat, closed }: { chat: ChatConnection; closed: boolean }) {
  const [text, setText] = useState(chat.draft);

  const change = (value: string) => {
    setText(value);
    chat.draft = value;
    if (value.trim()) chat.typing();
  };

  const send = (e?: FormEvent) => {
    e?.preventDefault();
    const message = text.trim();
    if (!message || closed) return;
    change('');
    void chat.sendMessage(message);
  };

  const keyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter starts a new line; Enter that ends an IME composition does neither.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  const left = MAX_LENGTH - text.length;
  return (
    <form className="compose" onSubmit={send}>
      <textarea
        data-testid="compose"
        aria-label="Message"
        placeholder={
          closed
            ? 'The customer has left: end the chat when you are done'
            : 'Type a message — Enter to send, Shift+Enter for a new line'
        }
        disabled={closed}
        rows={2}
        maxLength={MAX_LENGTH}
        value={text}
        onChange={(e) => change(e.target.value)}
        onKeyDown={keyDown}
        autoFocus
      />
      <div className="compose-side">
        {left < 100 && <span className="compose-left">{left}</span>}
        <button
          className="btn btn-primary"
          type="submit"
          data-testid="send"
          disabled={closed || !text.trim()}
        >
          Send
        </button>
      </div>
    </form>
  );
}

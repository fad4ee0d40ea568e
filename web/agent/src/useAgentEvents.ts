import { useEffect, useRef, useState } from 'react';
import { api, ApiError, eventsUrl } from './api.ts';
import type { AgentState, EventsMessage } from './types.ts';

export type EventsStatus = 'connecting' | 'connected' | 'reconnecting';

const MAX_BACKOFF_MS = 30_000;

/**
 * The agent state as the events websocket pushes it: the only source the workspace renders
 * from. The socket is reopened with backoff when it drops.
 */
export function useAgentEvents(onSignedOut: () => void): {
  state: AgentState | undefined;
  receivedAt: number;
  status: EventsStatus;
} {
  const [state, setState] = useState<{ state?: AgentState; receivedAt: number }>({ receivedAt: 0 });
  const [status, setStatus] = useState<EventsStatus>('connecting');
  const signedOut = useRef(onSignedOut);
  useEffect(() => {
    signedOut.current = onSignedOut;
  }, [onSignedOut]);

  useEffect(() => {
    let ws: WebSocket | undefined;
    let retry: number | undefined;
    let attempt = 0;
    let stopped = false;

    const open = () => {
      const socket = new WebSocket(eventsUrl());
      ws = socket;
      socket.onopen = () => {
        attempt = 0;
        setStatus('connected');
      };
      socket.onmessage = (e) => {
        let message: EventsMessage;
        try {
          message = JSON.parse(String(e.data)) as EventsMessage;
        } catch {
          return;
        }
        if (message.type === 'state') setState({ state: message.state, receivedAt: Date.now() });
        else if (message.type === 'signedOut') {
          stopped = true;
          socket.close();
          signedOut.current();
        }
      };
      socket.onclose = () => {
        if (stopped || ws !== socket) return;
        setStatus('reconnecting');
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
        attempt++;
        retry = window.setTimeout(reopen, delay);
      };
    };

    // A socket the server refuses (the session has expired) fails like a dropped one; ask the
    // API which it is before trying again.
    const reopen = async () => {
      try {
        await api.state();
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          stopped = true;
          signedOut.current();
          return;
        }
      }
      if (!stopped) open();
    };

    const online = () => {
      if (stopped || ws?.readyState === WebSocket.OPEN || ws?.readyState === WebSocket.CONNECTING) return;
      window.clearTimeout(retry);
      void reopen();
    };
    window.addEventListener('online', online);
    open();
    return () => {
      stopped = true;
      window.removeEventListener('online', online);
      window.clearTimeout(retry);
      ws?.close(1000);
    };
  }, []);

  return { state: state.state, receivedAt: state.receivedAt, status };
}

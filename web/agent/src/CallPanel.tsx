import { useEffect, useRef } from 'react';
import type { CallSession } from './call-session.ts';
import { useCallSession } from './useCallSession.ts';

const STATUS_TEXT = {
  joining: 'Joining the call…',
  'in call': 'In call',
  reconnecting: 'Reconnecting…',
  ended: 'The call has ended.',
  failed: 'The call could not be joined.',
} as const;

/** A call on screen: where it stands, the agent's mute, and the call's audio. */
export function CallPanel({ call, connected }: { call: CallSession | undefined; connected: boolean }) {
  const snap = useCallSession(call);
  const audioHolder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (call && audioHolder.current) audioHolder.current.appendChild(call.audio);
  }, [call]);

  if (!call || !snap) {
    return (
      <div className="call-panel">
        <p className="chat-placeholder">
          {connected ? 'Joining the call…' : 'The call ended before this page was loaded.'}
        </p>
      </div>
    );
  }
  return (
    <div className="call-panel">
      <p className="call-status" data-testid="call-status" data-status={snap.status}>
        {STATUS_TEXT[snap.status]}
      </p>
      {snap.error && (
        <p className="banner banner-error" role="alert">
          {snap.error}
        </p>
      )}
      {connected && snap.status !== 'ended' && snap.status !== 'failed' && (
        <button
          className="btn"
          type="button"
          data-testid="mute"
          aria-pressed={snap.muted}
          onClick={() => call.setMuted(!snap.muted)}
        >
          {snap.muted ? 'Unmute' : 'Mute'}
        </button>
      )}
      <div ref={audioHolder} hidden />
    </div>
  );
}

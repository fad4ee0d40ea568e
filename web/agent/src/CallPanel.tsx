import { useEffect, useRef, useState } from 'react';
import type { CallSession } from './call-session.ts';
import { useCallSession } from './useCallSession.ts';

const STATUS_TEXT = {
  joining: 'Joining the call…',
  'in call': 'In call',
  reconnecting: 'Reconnecting…',
  ended: 'The call has ended.',
  failed: 'The call could not be joined.',
} as const;

/**
 * A call on screen: where it stands, the customer's video (a video call), the agent's mute and
 * camera (if the call lets the agent send video), and the call's audio.
 */
export function CallPanel({
  call,
  connected,
  agentVideo,
}: {
  call: CallSession | undefined;
  connected: boolean;
  agentVideo: boolean;
}) {
  const snap = useCallSession(call);
  const [cameraError, setCameraError] = useState<string>();
  const audioHolder = useRef<HTMLDivElement>(null);
  const videoHolder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (call && audioHolder.current) audioHolder.current.appendChild(call.audio);
    if (call && videoHolder.current) videoHolder.current.appendChild(call.video);
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
      <div className="call-video-holder" ref={videoHolder} hidden={!snap.remoteVideo} />
      {connected && snap.status !== 'ended' && snap.status !== 'failed' && (
        <div className="call-controls">
          <button
            className="btn"
            type="button"
            data-testid="mute"
            aria-pressed={snap.muted}
            onClick={() => call.setMuted(!snap.muted)}
          >
            {snap.muted ? 'Unmute' : 'Mute'}
          </button>
          {agentVideo && (
            <button
              className="btn"
              type="button"
              data-testid="camera"
              aria-pressed={snap.camera}
              onClick={() => {
                setCameraError(undefined);
                call.setCamera(!snap.camera).catch((err: unknown) => setCameraError(String(err)));
              }}
            >
              {snap.camera ? 'Camera off' : 'Camera on'}
            </button>
          )}
        </div>
      )}
      {cameraError && (
        <p className="banner banner-error" role="alert">
          {cameraError}
        </p>
      )}
      <div ref={audioHolder} hidden />
    </div>
  );
}

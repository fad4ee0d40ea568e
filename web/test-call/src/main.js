// The customer's side of a web call, as an Amazon Connect in-app calling app does it: its
// backend calls StartWebRTCContact (here the node's test page backend), and the page joins the
// meeting of the returned ConnectionData with the unmodified Amazon Chime SDK.
import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
} from 'amazon-chime-sdk-js';

const $ = (id) => document.getElementById(id);
const setState = (state) => {
  $('state').textContent = state;
  log(`state: ${state}`);
};
const log = (line) => {
  $('log').textContent += `${line}\n`;
};

let session;
let heardTimer;

/** What the call has brought in so far: packets and energy of the received audio (WebRTC stats). */
async function showHeard(av) {
  const stats = await av.getRTCPeerConnectionStats();
  stats?.forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
    const heard = $('heard');
    heard.textContent = `${s.packetsReceived} packets, energy ${(s.totalAudioEnergy ?? 0).toFixed(4)}`;
    heard.dataset.packets = String(s.packetsReceived);
    heard.dataset.energy = String(s.totalAudioEnergy ?? 0);
  });
}

async function call() {
  $('call').disabled = true;
  setState('starting');
  const res = await fetch('/test-call/api/start', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      displayName: $('name').value,
      description: $('description').value,
      orderUrl: $('order').value,
      video: $('allow-video').checked,
    }),
  });
  const started = await res.json();
  if (!res.ok) {
    setState(`refused: ${started.message}`);
    $('call').disabled = false;
    return;
  }
  log(`contact ${started.ContactId}`);
  $('state').dataset.contactId = started.ContactId;
  const logger = new ConsoleLogger('test-call', LogLevel.WARN);
  const configuration = new MeetingSessionConfiguration(
    started.ConnectionData.Meeting,
    started.ConnectionData.Attendee,
  );
  session = new DefaultMeetingSession(configuration, logger, new DefaultDeviceController(logger));
  const av = session.audioVideo;
  av.addObserver({
    audioVideoDidStartConnecting: (reconnecting) => setState(reconnecting ? 'reconnecting' : 'connecting'),
    audioVideoDidStart: () => {
      setState('in call');
      heardTimer = setInterval(() => showHeard(av).catch(() => {}), 500);
    },
    audioVideoDidStop: (status) => {
      clearInterval(heardTimer);
      setState(`ended (${status.statusCode()})`);
    },
    // The agent's camera, when the node offers it: bound to the page's video element.
    videoTileDidUpdate: (tile) => {
      if (tile.localTile || !tile.boundAttendeeId || tile.tileId === null) return;
      av.bindVideoElement(tile.tileId, $('remote-video'));
      $('remote-video-state').textContent = 'shown';
    },
    videoTileWasRemoved: () => {
      $('remote-video-state').textContent = 'none';
    },
  });
  // Who else is in the call, as the SDK's presence and volume indicator tell it.
  const me = started.ConnectionData.Attendee.AttendeeId;
  av.realtimeSubscribeToAttendeeIdPresence((attendeeId, present) => {
    if (attendeeId === me) return;
    const others = $('others');
    others.dataset.present = String(present);
    others.textContent = present ? 'someone is here' : 'nobody';
    if (!present) return;
    av.realtimeSubscribeToVolumeIndicator(attendeeId, (_id, volume, muted) => {
      if (volume !== null) others.dataset.volume = String(volume);
      if (muted !== null) others.dataset.muted = String(muted);
      others.textContent = `someone is here: volume ${others.dataset.volume ?? '?'}, ${others.dataset.muted === 'true' ? 'muted' : 'not muted'}`;
    });
  });
  const inputs = await av.listAudioInputDevices();
  if (inputs[0]) await av.startAudioInput(inputs[0].deviceId);
  await av.bindAudioElement($('audio'));
  if ($('camera').checked) {
    const cameras = await av.listVideoInputDevices();
    if (cameras[0]) {
      await av.startVideoInput(cameras[0].deviceId);
      av.startLocalVideoTile();
    }
  }
  $('hang-up').disabled = false;
  av.start();
}

$('call').addEventListener('click', () => call().catch((err) => setState(`failed: ${err.message}`)));
$('hang-up').addEventListener('click', () => session?.audioVideo.stop());

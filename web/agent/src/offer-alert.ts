/**
 * How an offer reaches an agent who is not looking at the workspace: a ring made with WebAudio
 * (no audio file to load) and a desktop notification where the agent has allowed them. Either
 * may be unavailable (no audio device, autoplay refused, notifications denied): the offer card
 * is still there, so neither ever throws.
 */
import type { AgentContact } from './types.ts';

let audio: AudioContext | undefined;

/** Two short rising tones, like a phone's ring. */
export function ring(): void {
  try {
    audio ??= new AudioContext();
    // A context made before the agent's first click starts suspended; resuming may be refused.
    void audio.resume().catch(() => {});
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 660],
      [0.25, 880],
    ]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.22);
    }
  } catch {
    // No audio here: the offer card and the page title still say it.
  }
}

const notifications = () => (typeof Notification === 'undefined' ? undefined : Notification);

/** Asks for desktop notifications once, from a click (browsers ignore a request without one). */
export function askForNotifications(): void {
  const N = notifications();
  if (N?.permission === 'default') void N.requestPermission().catch(() => {});
}

/** A desktop notification for an offer; clicking it brings the workspace forward. */
export function notifyOffer(contact: AgentContact): void {
  const N = notifications();
  if (N?.permission !== 'granted') return;
  try {
    const shown = new N(`Incoming chat from ${contact.customerName}`, {
      body: contact.queue.name,
      tag: `offer:${contact.contactId}`,
    });
    shown.onclick = () => {
      window.focus();
      shown.close();
    };
  } catch {
    // Some browsers only notify from a service worker; the offer card is still there.
  }
}

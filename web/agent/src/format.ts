/** "4:07" or "1:04:07" for a length of time. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The time of day, e.g. "14:03". */
export function formatTime(at: number | string): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Date and time, the date left out when it is today. */
export function formatDateTime(at: number): string {
  const d = new Date(at);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

const REASONS: Record<string, string> = {
  AGENT_DISCONNECT: 'You ended the chat',
  CUSTOMER_DISCONNECT: 'The customer left',
  CONTACT_FLOW_DISCONNECT: 'The flow ended the chat',
  EXPIRED: 'The chat expired',
  API: 'Ended through the API',
  OTHER: 'Ended',
};

export function describeDisconnect(reason: string | undefined): string {
  if (!reason) return 'The chat has ended';
  return REASONS[reason] ?? reason;
}

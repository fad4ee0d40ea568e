import { useEffect, useRef } from 'react';
import { notifyOffer, ring } from './offer-alert.ts';
import type { AgentContact } from './types.ts';

/** Rings and notifies once for each new offer (a contact offered again is a new offer). */
export function useOfferAlerts(offers: AgentContact[]): void {
  const alerted = useRef(new Set<string>());
  useEffect(() => {
    const fresh = offers.filter((c) => !alerted.current.has(`${c.contactId}:${c.since}`));
    if (fresh.length === 0) return;
    for (const c of fresh) alerted.current.add(`${c.contactId}:${c.since}`);
    ring();
    for (const c of fresh) notifyOffer(c);
  }, [offers]);
}

/**
 * Once per database, at start: the due items for work stored before it was kept as due work —
 * active chats' expiry, waiting flow runs' timers, open offers' timeouts and waiting contacts'
 * queue delays — each written as the code that now schedules it would have. Scheduling is by
 * id, so an item already there is written again unchanged. It runs in one transaction over
 * every active chat and queued contact (no page limit: it runs once, on data made by a node
 * that kept them all in memory anyway), and records that it has run in the store's meta.
 */
import type { Store } from '../../ports/store.ts';
import type { ChatService } from '../chat/chat-service.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import type { Router } from '../routing/router.ts';

/** The meta key that says the backfill has run. */
export const DUE_BACKFILL_KEY = 'due-backfill';

export interface DueBackfillDeps {
  store: Store;
  chats: ChatService;
  flows: FlowRunner;
  router: Router;
  /** The account whose instances' queues are looked at. */
  accountId: string;
}

/** Writes the missing due items, unless that was done before; says whether it ran. */
export async function backfillDueWork(d: DueBackfillDeps): Promise<boolean> {
  return d.store.transaction(async (tx) => {
    if ((await tx.meta.get(DUE_BACKFILL_KEY)) !== undefined) return false;
    // Every active chat has an expiresAt; an ended one has none.
    for (const contact of await tx.contacts.listExpiring(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      await d.chats.expireAt(tx, contact);
      await d.flows.scheduleTimer(tx, contact);
    }
    let after: number | undefined;
    do {
      const page = await tx.instances.list(d.accountId, after, 100);
      for (const instance of page.items)
        for (const entry of await tx.queuedContacts.list(instance.id))
          await d.router.scheduleTimers(tx, entry);
      after = page.next;
    } while (after !== undefined);
    await tx.meta.set(DUE_BACKFILL_KEY, 'done');
    return true;
  });
}

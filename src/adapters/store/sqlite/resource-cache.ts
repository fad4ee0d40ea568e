/**
 * Resources (flows, queues, users…) as this connection last read them. Every chat reads its flow
 * and its queue, which change rarely; parsing their JSON bodies again each time was a tenth of
 * StartChatContact's store time.
 *
 * It is only ever behind what is committed by being empty: the store forgets a resource when it
 * writes it, forgets everything when a transaction rolls back (a read may have seen a write that
 * never committed), and forgets everything when another connection has committed (SQLite's
 * data_version, read at the start of each transaction). Records are frozen: every reader shares them.
 */
import type { Page, ResourceRecord } from '../../../ports/store.ts';
import { deepFreeze } from '../../../lib/deep-freeze.ts';

/** Beyond this many, the cache starts over rather than growing with every user and queue read. */
const MAX_ENTRIES = 10_000;

export class ResourceCache {
  /** null: read and found absent. */
  readonly #entries = new Map<string, ResourceRecord | null>();
  /**
   * Pages of lists (routing reads every routing profile's queue delays for each contact it
   * queues); any write of any resource forgets them all, as writes are rare.
   */
  readonly #lists = new Map<string, Page<ResourceRecord>>();

  static listKey(instanceId: string, kind: string, after: number, limit: number): string {
    return `${instanceId}\n${kind}\n${after}\n${limit}`;
  }

  list(key: string): Page<ResourceRecord> | undefined {
    return this.#lists.get(key);
  }

  setList(key: string, page: Page<ResourceRecord>): void {
    if (this.#lists.size >= MAX_ENTRIES) this.#lists.clear();
    this.#lists.set(key, deepFreeze(page));
  }

  static key(instanceId: string, kind: string, id: string): string {
    return `${instanceId}\n${kind}\n${id}`;
  }

  /** The record, null if known absent, undefined if not known. */
  get(key: string): ResourceRecord | null | undefined {
    return this.#entries.get(key);
  }

  set(key: string, record: ResourceRecord | undefined): void {
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, record ? deepFreeze(record) : null);
  }

  forget(key: string): void {
    this.#entries.delete(key);
    this.#lists.clear();
  }

  clear(): void {
    this.#entries.clear();
    this.#lists.clear();
  }
}

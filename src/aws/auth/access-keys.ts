/**
 * The access keys the server accepts, held in memory for the SigV4 check on every request
 * and loaded from the Store, which is the source of truth.
 */
import type { AccessKeyRecord, Store } from '../../ports/store.ts';

export class AccessKeys {
  readonly #keys = new Map<string, AccessKeyRecord>();

  static async load(store: Store): Promise<AccessKeys> {
    return AccessKeys.of(await store.transaction((tx) => tx.accessKeys.list()));
  }

  /** Keys read elsewhere (the main thread gets them from the domain thread). */
  static of(records: AccessKeyRecord[]): AccessKeys {
    const keys = new AccessKeys();
    for (const k of records) keys.#keys.set(k.accessKeyId, k);
    return keys;
  }

  async add(store: Store, key: AccessKeyRecord): Promise<void> {
    await store.transaction((tx) => tx.accessKeys.put(key));
    this.#keys.set(key.accessKeyId, key);
  }

  lookup(accessKeyId: string): { secretAccessKey: string; accountId: string } | undefined {
    return this.#keys.get(accessKeyId);
  }
}

/**
 * A chat's transcript file, as Amazon Connect stores it when the chat ends, and where it goes:
 * one outbox entry, added in the transaction that ends the chat, so that a node that dies
 * after the commit loses no transcript (whoever delivers the outbox next writes it). With a
 * CHAT_TRANSCRIPTS storage config (AssociateInstanceStorageConfig) the file goes to its bucket
 * under its BucketPrefix (`s3:<bucket>/<key>`); without one, to the node's BlobStore under
 * `connect/<instanceId>/ChatTranscripts` (`blob:<key>`). Either way the key is Amazon
 * Connect's: `<prefix>/YYYY/MM/DD/<contactId>_<YYYYMMDD>T<HH>:<mm>_UTC.json`, by the contact's
 * initiation time (UTC).
 */
import type { Clock } from '../../ports/clock.ts';
import type { ContactRecord, StoreTx } from '../../ports/store.ts';
import { s3StorageFor } from '../storage/storage-configs.ts';

/** The outbox destination of an object in a bucket. */
export const s3Destination = (bucket: string, key: string): string => `s3:${bucket}/${key}`;
/** The outbox destination of a file in the node's BlobStore. */
export const blobDestination = (key: string): string => `blob:${key}`;

/** The transcript file's key under a prefix: its date folders and name by `at` (UTC). */
export function transcriptKey(prefix: string, contactId: string, at: number): string {
  const t = new Date(at).toISOString();
  const [yyyy, mm, dd, hhmm] = [t.slice(0, 4), t.slice(5, 7), t.slice(8, 10), t.slice(11, 16)];
  const base = prefix.replace(/\/+$/, '');
  return `${base ? `${base}/` : ''}${yyyy}/${mm}/${dd}/${contactId}_${yyyy}${mm}${dd}T${hhmm}_UTC.json`;
}

export interface TranscriptArchiveDeps {
  clock: Clock;
  /** Called once a transaction that added an entry has committed (the delivery worker's wake-up). */
  onQueued?: () => void;
}

export class TranscriptArchive {
  readonly #d: TranscriptArchiveDeps;

  constructor(deps: TranscriptArchiveDeps) {
    this.#d = deps;
  }

  /**
   * Inside the transaction that ends the chat, once its last item (chat.ended) is written: the
   * transcript as it stands, every item GetTranscript returns, onto the outbox.
   */
  async queue(tx: StoreTx, contact: ContactRecord): Promise<void> {
    const body = JSON.stringify(await transcriptOf(tx, contact), null, 2);
    const s3 = await s3StorageFor(tx, contact.instanceId, 'CHAT_TRANSCRIPTS');
    const prefix = s3 ? s3.BucketPrefix : `connect/${contact.instanceId}/ChatTranscripts`;
    const key = transcriptKey(prefix, contact.id, contact.initiationTimestamp);
    const contentType = 'application/json';
    const now = this.#d.clock.now();
    await tx.outbox.add({
      id: `transcript:${contact.id}`,
      destination: s3 ? s3Destination(s3.BucketName, key) : blobDestination(key),
      orderKey: contact.initialContactId,
      payload: s3 ? { bucket: s3.BucketName, key, body, contentType } : { key, body, contentType },
      createdAt: now,
      notBefore: now,
    });
    if (this.#d.onQueued) tx.onCommit(this.#d.onQueued);
  }
}

/** The file's content: the contact, its participants and the chat's items, receipts folded in. */
async function transcriptOf(tx: StoreTx, contact: ContactRecord): Promise<Record<string, unknown>> {
  const items: Record<string, unknown>[] = [];
  for (let after = 0; ;) {
    const page = await tx.chatItems.list(contact.initialContactId, { order: 'asc', after, limit: 500 });
    for (const s of page) if (s.item.Type !== 'MESSAGEMETADATA') items.push(s.item);
    if (page.length < 500) break;
    after = page[page.length - 1].seq;
  }
  const participants = await tx.participants.listByContact(contact.id);
  return {
    Version: '2019-08-26',
    AWSAccountId: contact.arn.split(':')[4],
    InstanceId: contact.instanceId,
    InitialContactId: contact.initialContactId,
    ContactId: contact.id,
    Participants: participants.map((p) => ({ ParticipantId: p.id })),
    Transcript: items,
  };
}

/**
 * How an outbox entry leaves the node, chosen by its destination's scheme: `sns:<topic arn>`
 * is published to the topic (payload {topicArn, message, attributes}), `s3:<bucket>/<key>`
 * is put to the bucket (payload {bucket, key, body, contentType}), `blob:<key>` is written to
 * the node's BlobStore (payload {key, body, contentType}). An entry no deliverer can
 * take (an unknown scheme, a payload of the wrong shape) fails permanently: it never will.
 */
import type { StoredOutboxEntry } from '../ports/store.ts';
import type { TopicPublisher } from '../ports/topic-publisher.ts';
import type { ObjectSink } from '../ports/object-sink.ts';
import { InvalidBlobKey, type BlobStore } from '../ports/blob-store.ts';
import { SinkError } from '../ports/sink-error.ts';

export interface Deliverer {
  /** Resolves once the destination has the entry; rejects with a SinkError. */
  deliver(entry: StoredOutboxEntry): Promise<void>;
}

function refused(entry: StoredOutboxEntry, why: string): SinkError {
  return new SinkError(`outbox entry ${entry.id} for ${entry.destination}: ${why}`, {
    code: 'InvalidEntry',
    retryable: false,
  });
}

function text(entry: StoredOutboxEntry, field: string): string {
  const value = entry.payload[field];
  if (typeof value !== 'string') throw refused(entry, `payload.${field} is not a string`);
  return value;
}

/** `sns:<topic arn>` entries, onto their topic. */
export class TopicDeliverer implements Deliverer {
  readonly #publisher: TopicPublisher;

  constructor(publisher: TopicPublisher) {
    this.#publisher = publisher;
  }

  async deliver(entry: StoredOutboxEntry): Promise<void> {
    const topicArn = text(entry, 'topicArn');
    if (entry.destination !== `sns:${topicArn}`) throw refused(entry, 'payload.topicArn is another topic');
    const attributes = entry.payload.attributes ?? {};
    if (
      typeof attributes !== 'object' ||
      attributes === null ||
      Object.values(attributes).some((v) => typeof v !== 'string')
    )
      throw refused(entry, 'payload.attributes are not strings');
    await this.#publisher.publish({
      topicArn,
      message: text(entry, 'message'),
      attributes: attributes as Record<string, string>,
    });
  }
}

/** `s3:<bucket>/<key>` entries, into their bucket. */
export class ObjectDeliverer implements Deliverer {
  readonly #sink: ObjectSink;

  constructor(sink: ObjectSink) {
    this.#sink = sink;
  }

  async deliver(entry: StoredOutboxEntry): Promise<void> {
    const bucket = text(entry, 'bucket');
    const key = text(entry, 'key');
    if (entry.destination !== `s3:${bucket}/${key}`) throw refused(entry, 'payload names another object');
    await this.#sink.put({ bucket, key, body: text(entry, 'body'), contentType: text(entry, 'contentType') });
  }
}

/**
 * `blob:<key>` entries, into the node's BlobStore. A key outside it is refused; a write that
 * fails (a full disk) is tried again.
 */
export class BlobDeliverer implements Deliverer {
  readonly #blobs: BlobStore;

  constructor(blobs: BlobStore) {
    this.#blobs = blobs;
  }

  async deliver(entry: StoredOutboxEntry): Promise<void> {
    const key = text(entry, 'key');
    if (entry.destination !== `blob:${key}`) throw refused(entry, 'payload names another blob');
    try {
      await this.#blobs.put(key, text(entry, 'body'), text(entry, 'contentType'));
    } catch (err) {
      if (err instanceof InvalidBlobKey) throw refused(entry, err.message);
      throw new SinkError(`writing blob ${key}: ${err instanceof Error ? err.message : String(err)}`, {
        code: (err as NodeJS.ErrnoException).code ?? 'BlobWriteFailed',
        retryable: true,
        cause: err,
      });
    }
  }
}

/** The deliverer for each destination scheme (the part before the first colon). */
export class DelivererByScheme implements Deliverer {
  readonly #schemes: Record<string, Deliverer>;

  constructor(schemes: Record<string, Deliverer>) {
    this.#schemes = schemes;
  }

  deliver(entry: StoredOutboxEntry): Promise<void> {
    const scheme = entry.destination.slice(0, Math.max(0, entry.destination.indexOf(':')));
    const deliverer = Object.hasOwn(this.#schemes, scheme) ? this.#schemes[scheme] : undefined;
    if (!deliverer) return Promise.reject(refused(entry, `no deliverer for scheme "${scheme}"`));
    return deliverer.deliver(entry);
  }
}

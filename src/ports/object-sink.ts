/**
 * ObjectSink: one object into a bucket of the customer's, as Amazon Connect stores chat
 * transcripts and attachments in the instance's S3 bucket. Unlike BlobStore (the node's own
 * files), the bucket belongs to someone else. Adapter: adapters/s3/s3-object-sink.ts, to AWS
 * or any S3-compatible server.
 */
export interface StoredObject {
  bucket: string;
  key: string;
  body: Buffer | string;
  contentType: string;
}

export interface ObjectSink {
  /** Stores the object, replacing one at the same key (so a retry is harmless); rejects with a SinkError. */
  put(object: StoredObject): Promise<void>;
  /** Releases the connections; putting after it is an error. */
  close(): void;
}

/**
 * BlobStore: recordings and chat transcripts. Default: files under the data dir
 * (adapters/blob/fs-blob-store.ts); scale-out: any S3-compatible store.
 */
export interface BlobStore {
  /** Stores body at key, replacing what was there; resolves once it is stored. */
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
}

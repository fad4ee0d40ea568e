/**
 * BlobStore: recordings and chat transcripts. Default: files under the data dir
 * (adapters/blob/fs-blob-store.ts); scale-out: any S3-compatible store.
 */
export interface BlobStore {
  /** Stores body at key, replacing what was there; resolves once it is stored. A key it cannot hold is an InvalidBlobKey. */
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
}

/** A key that names no place in the store (one that would leave its directory). */
export class InvalidBlobKey extends Error {
  constructor(key: string) {
    super(`Invalid blob key: ${key}`);
    this.name = 'InvalidBlobKey';
  }
}

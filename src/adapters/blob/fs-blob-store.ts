/**
 * Blobs as files under a directory: each written to a temporary name and renamed into place,
 * so a reader never sees half a file. Keys are relative paths; one that would leave the
 * directory is refused.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidBlobKey, type BlobStore } from '../../ports/blob-store.ts';

export class FsBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, path);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.#path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  #path(key: string): string {
    const path = resolve(join(this.#root, key));
    const rel = relative(this.#root, path);
    if (!rel || rel.startsWith('..') || rel.split(sep).includes('..')) throw new InvalidBlobKey(key);
    return path;
  }
}

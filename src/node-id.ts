/**
 * The node's id: the owner of its leases in the store. It belongs to the data dir
 * (<data-dir>/node-id, written at first start), so a node started again on its data dir, after
 * kill -9 too, is the same node and takes back at once what it held, instead of waiting for
 * its leases to run out as for a node that is gone. Nodes sharing a store each have a data dir.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeSecretFile } from './bootstrap.ts';

export function nodeId(dataDir: string): string {
  const file = join(dataDir, 'node-id');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved) return saved;
  }
  const id = `${hostname()}:${randomUUID()}`;
  writeSecretFile(file, `${id}\n`);
  return id;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../adapters/blob/fs-blob-store.ts';
import { SinkError } from '../ports/sink-error.ts';
import type { StoredOutboxEntry } from '../ports/store.ts';
import { BlobDeliverer } from './deliverers.ts';

const entry = (destination: string, payload: Record<string, unknown>): StoredOutboxEntry => ({
  id: 'transcript:c-1',
  destination,
  orderKey: 'c-1',
  payload,
  createdAt: 0,
  notBefore: 0,
  attempts: 0,
});

const blob = (key: string) =>
  entry(`blob:${key}`, { key, body: '{"Version":"2019-08-26"}', contentType: 'application/json' });

test('a blob entry is written to the BlobStore at its key; a key outside it or another blob is refused for good', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'localconnect-blobs-'));
  try {
    const deliverer = new BlobDeliverer(new FsBlobStore(dir));
    await deliverer.deliver(blob('connect/i/ChatTranscripts/2024/04/21/c-1_20240421T23:46_UTC.json'));
    assert.equal(
      readFileSync(join(dir, 'connect/i/ChatTranscripts/2024/04/21/c-1_20240421T23:46_UTC.json'), 'utf8'),
      '{"Version":"2019-08-26"}',
    );
    for (const bad of [blob('../outside.json'), { ...blob('a.json'), destination: 'blob:b.json' }]) {
      await assert.rejects(deliverer.deliver(bad), (err: unknown) => {
        assert.ok(err instanceof SinkError);
        assert.equal(err.retryable, false);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a blob the disk cannot take now is tried again later (retryable)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'localconnect-blobs-'));
  try {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const deliverer = new BlobDeliverer(new FsBlobStore(file));
    await assert.rejects(deliverer.deliver(blob('connect/x.json')), (err: unknown) => {
      assert.ok(err instanceof SinkError);
      assert.equal(err.retryable, true);
      assert.equal(err.code, 'ENOTDIR');
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

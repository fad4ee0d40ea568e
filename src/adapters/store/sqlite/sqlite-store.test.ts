import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { runStoreContract } from '../../../ports/store.contract.ts';
import { migrations } from './migrations.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'localconnect-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `store-${++files}.db`);

runStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));
runStoreContract('sqlite file', () => openSqliteStore(freshFile()));

describe('SqliteStore', () => {
  it('migrates a new file once and reopens it with its data', async () => {
    const path = freshFile();
    const first = await openSqliteStore(path);
    await first.transaction((t) => t.meta.set('k', 'v'));
    await first.close();

    const second = await openSqliteStore(path);
    assert.equal(await second.transaction((t) => t.meta.get('k')), 'v');
    await second.close();

    const db = new DatabaseSync(path);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    assert.deepEqual(
      versions.map((r) => r.version),
      migrations.map((_, i) => i + 1),
    );
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    db.close();
  });

  it('refuses a database migrated by a newer server', async () => {
    const path = freshFile();
    await (await openSqliteStore(path)).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(
      migrations.length + 1,
    );
    db.close();
    await assert.rejects(openSqliteStore(path), /newer/);
  });

  it('rejects a StoreTx used after its transaction ended', async () => {
    const store = await openSqliteStore(':memory:');
    const leaked = await store.transaction(async (t) => t);
    await assert.rejects(leaked.meta.set('k', 'v'), /after its transaction ended/);
    assert.equal(await store.transaction((t) => t.meta.get('k')), undefined);
    await store.close();
  });

  it('rejects transactions once closed, after finishing those already started', async () => {
    const store = await openSqliteStore(':memory:');
    const running = store.transaction(async (t) => {
      await new Promise((resolve) => setImmediate(resolve));
      return t.meta.get('k');
    });
    const closing = store.close();
    await assert.rejects(
      store.transaction(async () => 1),
      /closed/,
    );
    assert.equal(await running, undefined);
    await closing;
  });

  it('rolls back a write that breaks a reference', async () => {
    const store = await openSqliteStore(':memory:');
    await assert.rejects(
      store.transaction(async (t) => {
        await t.meta.set('k', 'v');
        await t.participants.insert({
          id: 'p',
          contactId: 'no-such-contact',
          role: 'CUSTOMER',
          displayName: 'x',
          tokenDigest: 'd',
          createdAt: 0,
        });
      }),
      /FOREIGN KEY/,
    );
    assert.equal(await store.transaction((t) => t.meta.get('k')), undefined);
    await store.close();
  });

  it('keeps every acknowledged transaction when the process is killed with SIGKILL', async () => {
    const path = freshFile();
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', CHILD], {
      env: { ...process.env, STORE_MODULE: import.meta.resolve('./sqlite-store.ts'), STORE_PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      // Kill while it is still committing, not after a quiet moment.
      if (out.length > 20_000 && child.exitCode === null) child.kill('SIGKILL');
    });
    const signal = await new Promise((resolve) => child.on('close', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', `child ended on its own: ${err}`);

    // A torn last line was being written when the signal landed: it was never acknowledged.
    const acked = out.split('\n').slice(0, -1);
    assert.ok(acked.length > 1000, `only ${acked.length} acknowledgements`);
    const store = await openSqliteStore(path);
    const missing = await store.transaction(async (t) => {
      const absent: string[] = [];
      for (const id of acked) if (!(await t.contacts.get('inst-1', id))) absent.push(id);
      return absent;
    });
    assert.deepEqual(missing, []);
    assert.equal((await store.transaction((t) => t.counters.get('acks', 'n'))) >= acked.length, true);
    await store.close();
  });
});

/** Commits contacts forever, printing each id only once its transaction has resolved. */
const CHILD = `
import { writeSync } from 'node:fs';
const { openSqliteStore } = await import(process.env.STORE_MODULE);
const store = await openSqliteStore(process.env.STORE_PATH);
await store.transaction((t) => t.instances.insert({
  id: 'inst-1', arn: 'arn', accountId: '1', region: 'r', alias: 'a', identityManagementType: 'CONNECT_MANAGED',
  inboundCallsEnabled: true, outboundCallsEnabled: true, status: 'ACTIVE', createdAt: 0, tags: {},
}));
for (let i = 0; ; i++) {
  const id = 'contact-' + i;
  await store.transaction(async (t) => {
    await t.contacts.insert({
      id, arn: 'arn:' + id, instanceId: 'inst-1', initialContactId: id, channel: 'CHAT', initiationMethod: 'API',
      state: 'ACTIVE', flowId: 'f', initiationTimestamp: i, lastUpdateTimestamp: i,
      attributes: { i: String(i) }, details: { pad: 'x'.repeat(200) },
    });
    await t.counters.add('acks', 'n', 1);
  });
  writeSync(1, id + '\\n');
}
`;

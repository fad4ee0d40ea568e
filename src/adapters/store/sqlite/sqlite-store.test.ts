import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { runStoreContract } from '../../../ports/store.contract.ts';
import type { ContactRecord, InstanceRecord } from '../../../ports/store.ts';
import { migrations } from './migrations.ts';
import { OUTBOX_SQL } from './outbox-tables.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { testInstance } from '../../../ports/store.fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'localconnect-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `store-${++files}.db`);

runStoreContract('sqlite :memory:', (options) => openSqliteStore(':memory:', options));
runStoreContract(
  'sqlite file',
  (options) => openSqliteStore(freshFile(), options),
  () => {
    const path = freshFile();
    return () => openSqliteStore(path);
  },
);

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

  it('reads the outbox backlog from an index, never the entries (whose payloads may be whole transcripts)', async () => {
    const path = freshFile();
    await (await openSqliteStore(path)).close();
    const db = new DatabaseSync(path);
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${OUTBOX_SQL.outboxStats}`)
      .all()
      .map((r) => r.detail);
    db.close();
    assert.deepEqual(plan, ['SCAN outbox USING COVERING INDEX outbox_backlog']);
  });

  it('checkpoints the WAL into the database file in the background', async () => {
    const path = freshFile();
    const store = await openSqliteStore(path);
    await store.transaction((t) => t.meta.set('k', 'x'.repeat(100_000)));
    // Far below the automatic checkpoint's threshold: only the checkpointer copies these pages.
    const deadline = Date.now() + 5000;
    while (statSync(path).size < 100_000 && Date.now() < deadline) await setTimeout(10);
    assert.ok(statSync(path).size >= 100_000);
    await store.close();
  });

  it('resolves close in a process with nothing else pending', async () => {
    const script = `
      const { openSqliteStore } = await import(process.env.STORE_MODULE);
      const store = await openSqliteStore(process.env.STORE_PATH);
      await store.transaction((t) => t.meta.set('k', 'v'));
      await store.close();
      console.log('closed');
    `;
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
      env: {
        ...process.env,
        STORE_MODULE: import.meta.resolve('./sqlite-store.ts'),
        STORE_PATH: freshFile(),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await once(child, 'close');
    assert.equal(out, 'closed\n');
  });

  it('keeps the ClientTokens claimed before idempotency moved to a rowid table', async () => {
    // A file at schema version 3, with one claim, as a node before migration 4 left it.
    const path = freshFile();
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (let v = 1; v <= 3; v++) {
      db.exec(migrations[v - 1]);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(v);
    }
    db.prepare('INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)').run('s', 'token', 'h1', '{"n":1}', 2000);
    db.close();

    const store = await openSqliteStore(path);
    try {
      const claim = (token: string, hash: string, now: number) =>
        store.transaction((t) => t.idempotency.claim('s', token, hash, { n: 2 }, now + 1000, now));
      assert.deepEqual(await claim('token', 'h2', 1000), {
        claimed: false,
        requestHash: 'h1',
        response: { n: 1 },
      });
      assert.deepEqual(await claim('other', 'h2', 1000), { claimed: true });
      // Expired, the old claim is taken over.
      assert.deepEqual(await claim('token', 'h3', 2000), { claimed: true });
      assert.deepEqual(await claim('token', 'h4', 2500), {
        claimed: false,
        requestHash: 'h3',
        response: { n: 2 },
      });
    } finally {
      await store.close();
    }
  });

  it('sees a resource another connection changed, though it had read it before', async () => {
    const path = freshFile();
    const store = await openSqliteStore(path);
    try {
      const instance = testInstance('inst-1');
      const queue = {
        instanceId: instance.id,
        kind: 'queue' as const,
        id: 'q-1',
        arn: 'arn:q-1',
        name: 'Queue',
        body: { Description: 'before' },
        createdAt: 1,
        updatedAt: 1,
      };
      await store.transaction(async (t) => {
        await t.instances.insert(instance);
        await t.resources.insert(queue);
      });
      const read = () => store.transaction((t) => t.resources.get(instance.id, 'queue', 'q-1'));
      assert.deepEqual((await read())?.body, { Description: 'before' });
      const other = new DatabaseSync(path);
      other.prepare('UPDATE resources SET body = ? WHERE id = ?').run('{"Description":"after"}', 'q-1');
      other.close();
      assert.deepEqual((await read())?.body, { Description: 'after' });
    } finally {
      await store.close();
    }
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
        await t.contacts.insert(contact('no-such-instance', 'c'));
      }),
      /FOREIGN KEY/,
    );
    assert.equal(await store.transaction((t) => t.meta.get('k')), undefined);
    await store.close();
  });

  it('commits the others of a batch in call order, each seeing those before it, when one throws', async () => {
    const store = await openSqliteStore(':memory:');
    const runs = Array.from({ length: 10 }, () => 0);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) =>
        store.transaction(async (t) => {
          runs[n]++;
          const log = `${(await t.meta.get('log')) ?? ''}${n};`;
          await t.meta.set('log', log);
          if (n === 4 || n === 8) throw new Error(`body ${n} fails`);
          return log;
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [
        '0;',
        '0;1;',
        '0;1;2;',
        '0;1;2;3;',
        'body 4 fails',
        '0;1;2;3;5;',
        '0;1;2;3;5;6;',
        '0;1;2;3;5;6;7;',
        'body 8 fails',
        '0;1;2;3;5;6;7;9;',
      ],
    );
    assert.equal(await store.transaction((t) => t.meta.get('log')), '0;1;2;3;5;6;7;9;');
    // Batched, the bodies before a failing one ran again after it failed (the Store contract allows it).
    assert.ok(
      runs.some((r) => r > 1),
      `runs: ${runs}`,
    );
    await store.close();
  });

  it('undoes only the failing transaction of those committed together', async () => {
    const store = await openSqliteStore(':memory:');
    await store.transaction((t) => t.instances.insert(instance));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) =>
        store.transaction(async (t) => {
          await t.counters.add('s', 'n', 1);
          await t.contacts.insert(contact(n % 5 === 2 ? 'no-such-instance' : 'inst-1', `c-${n}`));
        }),
      ),
    );
    const failed = results.flatMap((r, n) => (r.status === 'rejected' ? [n] : []));
    assert.deepEqual(failed, [2, 7, 12, 17]);
    await store.transaction(async (t) => {
      assert.equal(await t.counters.get('s', 'n'), 16);
      for (let n = 0; n < 20; n++)
        assert.equal(!!(await t.contacts.get('inst-1', `c-${n}`)), !failed.includes(n));
    });
    await store.close();
  });

  it('keeps every acknowledged transaction when the process is killed with SIGKILL', async () => {
    const path = freshFile();
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', CHILD], {
      env: {
        ...process.env,
        STORE_MODULE: import.meta.resolve('./sqlite-store.ts'),
        STORE_PATH: path,
        INSTANCE: JSON.stringify(instance),
      },
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

const instance: InstanceRecord = testInstance('inst-1');

function contact(instanceId: string, id: string): ContactRecord {
  return {
    id,
    arn: `arn:${id}`,
    instanceId,
    initialContactId: id,
    channel: 'CHAT',
    initiationMethod: 'API',
    state: 'ACTIVE',
    flowId: 'f',
    initiationTimestamp: 0,
    lastUpdateTimestamp: 0,
    attributes: {},
    details: {},
  };
}

/**
 * Commits contacts forever from 8 concurrent writers (so commits are batched), printing each id
 * only once its transaction has resolved.
 */
const CHILD = `
import { writeSync } from 'node:fs';
const { openSqliteStore } = await import(process.env.STORE_MODULE);
const store = await openSqliteStore(process.env.STORE_PATH);
await store.transaction((t) => t.instances.insert(JSON.parse(process.env.INSTANCE)));
const writer = async (w) => {
  for (let i = 0; ; i++) {
    const id = 'contact-' + w + '-' + i;
    await store.transaction(async (t) => {
      await t.contacts.insert({
        id, arn: 'arn:' + id, instanceId: 'inst-1', initialContactId: id, channel: 'CHAT', initiationMethod: 'API',
        state: 'ACTIVE', flowId: 'f', initiationTimestamp: i, lastUpdateTimestamp: i,
        attributes: { i: String(i) }, details: { pad: 'x'.repeat(200) },
      });
      await t.counters.add('acks', 'n', 1);
    });
    ack(id + '\\n');
  }
};
// stdout is a non-blocking pipe: when the reader lags, a write fails with EAGAIN; try again.
const ack = (line) => {
  for (;;) {
    try {
      return writeSync(1, line);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
    }
  }
};
await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
`;

// The log layer on its own, as a contract run against a file database and an in-memory one.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { SqliteLog } from '../../src/log/index.js'
import { tempDir } from '../support/temp-store.js'

type Row = { key: string; rev: number; version: number; value: string | null; createRev?: number; lease?: number }

function makers(): Array<[string, () => { log: SqliteLog; cleanup(): Promise<void> }]> {
  return [
    ['file', () => {
      const dir = tempDir()
      const log = new SqliteLog({ path: join(dir.path, 'log.db'), durability: 'relaxed', busyTimeoutMs: 1000, cacheKiB: 1024, quotaBytes: 0 })
      return { log, cleanup: async () => { await log.close(); dir.remove() } }
    }],
    [':memory:', () => {
      const log = new SqliteLog({ path: ':memory:', durability: 'relaxed', busyTimeoutMs: 1000, cacheKiB: 1024, quotaBytes: 0 })
      return { log, cleanup: () => log.close() }
    }],
  ]
}

/** Appends rows and keeps the live index the way mvcc would. */
function write(log: SqliteLog, rows: Row[]): void {
  log.write((tx) => {
    for (const r of rows) {
      const key = Buffer.from(r.key)
      const createRev = r.version === 0 ? 0 : (r.createRev ?? r.rev)
      const lease = r.lease ?? 0
      const id = log.append(tx, { key, rev: r.rev, createRev, version: r.version, lease, value: r.value === null ? null : Buffer.from(r.value) })
      if (r.version === 0) log.deleteLive(tx, key)
      else log.setLive(tx, key, { id, modRev: r.rev, createRev, version: r.version, lease })
      log.setRevision(tx, r.rev)
    }
  })
}

const keysAt = (log: SqliteLog, revision: number | undefined, start = 'a', end: string | null = null): string[] =>
  log
    .range(log.autocommit, { interval: { start: Buffer.from(start), end: end === null ? null : Buffer.from(end) }, revision, limit: 0, withValues: true })
    .map((r) => `${r.key.toString()}=${r.value?.toString()}@${r.modRev}`)

// History used below: a@2, a@3, b@4, a deleted @5, c@6, a re-created @7.
const history: Row[] = [
  { key: 'a', rev: 2, version: 1, value: 'a1' },
  { key: 'a', rev: 3, version: 2, value: 'a2', createRev: 2 },
  { key: 'b', rev: 4, version: 1, value: 'b1' },
  { key: 'a', rev: 5, version: 0, value: null },
  { key: 'c', rev: 6, version: 1, value: 'c1' },
  { key: 'a', rev: 7, version: 1, value: 'a3' },
]

for (const [name, make] of makers()) {
  describe(`SqliteLog contract (${name})`, () => {
    test('a new log is at revision 1 with nothing compacted', async () => {
      const { log, cleanup } = make()
      assert.deepEqual(log.head(log.autocommit), { revision: 1, compactRevision: 0, compactedRevision: 0, compactCursor: 0 })
      await cleanup()
    })

    test('current and historical ranges see exactly the keyspace of their revision', async () => {
      const { log, cleanup } = make()
      write(log, history)
      assert.deepEqual(keysAt(log, undefined), ['a=a3@7', 'b=b1@4', 'c=c1@6'])
      assert.deepEqual(keysAt(log, 2), ['a=a1@2'])
      assert.deepEqual(keysAt(log, 3), ['a=a2@3'])
      assert.deepEqual(keysAt(log, 5), ['b=b1@4'])
      assert.deepEqual(keysAt(log, 6), ['b=b1@4', 'c=c1@6'])
      assert.deepEqual(keysAt(log, 6, 'a', 'c'), ['b=b1@4'])
      assert.equal(log.count(log.autocommit, { start: Buffer.from('a'), end: null }, 5), 1)
      assert.equal(log.count(log.autocommit, { point: Buffer.from('a') }, 4), 1)
      assert.equal(log.count(log.autocommit, { point: Buffer.from('a') }, 5), 0)
      await cleanup()
    })

    test('limit cuts in key order for current and historical reads', async () => {
      const { log, cleanup } = make()
      write(log, history)
      const q = (revision: number | undefined) =>
        log.range(log.autocommit, { interval: { start: Buffer.from('a'), end: null }, revision, limit: 2, withValues: false }).map((r) => [r.key.toString(), r.value])
      assert.deepEqual(q(undefined), [['a', null], ['b', null]])
      assert.deepEqual(q(6), [['b', null], ['c', null]])
      await cleanup()
    })

    test('compaction keeps the newest row at or below R, a tombstone exactly at R, and everything above', async () => {
      const { log, cleanup } = make()
      write(log, history)
      const rowsLeft = (): string[] => [...log.scan(log.autocommit)].map((r) => `${r.key.toString()}@${r.rev}`)
      const step = log.write((tx) => log.compactStep(tx, 5, 0, 100))
      assert.deepEqual(step, { scanned: 3, removed: 2, removedKeyBytes: 2, done: true, cursor: 3 })
      assert.deepEqual(rowsLeft(), ['b@4', 'a@5', 'c@6', 'a@7'])
      const again = log.write((tx) => log.compactStep(tx, 6, 0, 100))
      assert.equal(again.removed, 1, 'the tombstone below the new compaction revision goes')
      assert.deepEqual(rowsLeft(), ['b@4', 'c@6', 'a@7'])
      await cleanup()
    })

    test('compaction in bounded steps resumes from its cursor', async () => {
      const { log, cleanup } = make()
      write(log, Array.from({ length: 30 }, (_, i) => ({ key: 'k', rev: i + 2, version: i + 1, value: `v${i}`, createRev: 2 })))
      let cursor = 0
      let steps = 0
      for (;;) {
        const s = log.write((tx) => log.compactStep(tx, 30, cursor, 7))
        steps++
        assert.ok(s.scanned <= 7)
        cursor = s.cursor
        if (s.done) break
      }
      assert.equal(steps, 5)
      assert.deepEqual([...log.scan(log.autocommit)].map((r) => r.rev), [30, 31])
      await cleanup()
    })

    test('rebuildLive derives the index from the log alone', async () => {
      const { log, cleanup } = make()
      write(log, history)
      const before = keysAt(log, undefined)
      const rebuilt = log.write((tx) => log.rebuildLive(tx))
      assert.equal(rebuilt, 3)
      assert.deepEqual(keysAt(log, undefined), before)
      await cleanup()
    })

    test('leases: rows, expiry order, attached keys from the index', async () => {
      const { log, cleanup } = make()
      log.write((tx) => {
        log.putLease(tx, { id: 7, ttl: 10, deadlineMs: 5000 })
        log.putLease(tx, { id: 3, ttl: 5, deadlineMs: 2000 })
      })
      write(log, [
        { key: 'x', rev: 2, version: 1, value: '1', lease: 7 },
        { key: 'w', rev: 3, version: 1, value: '1', lease: 7 },
      ])
      assert.deepEqual(log.leaseKeys(log.autocommit, 7).map(String), ['w', 'x'])
      assert.equal(log.leaseDeadlineMin(log.autocommit), 2000)
      assert.deepEqual(log.leasesExpired(log.autocommit, 4999, 10), [3])
      assert.deepEqual(log.leasesExpired(log.autocommit, 5000, 10), [3, 7])
      log.write((tx) => log.deleteLease(tx, 3))
      assert.deepEqual(log.leases(log.autocommit).map((l) => l.id), [7])
      await cleanup()
    })

    test('a failed write() leaves nothing behind; write statements are counted', async () => {
      const { log, cleanup } = make()
      assert.throws(() =>
        log.write((tx) => {
          log.append(tx, { key: Buffer.from('gone'), rev: 2, createRev: 2, version: 1, lease: 0, value: Buffer.from('x') })
          throw new Error('boom')
        }),
      /boom/)
      assert.equal([...log.scan(log.autocommit)].length, 0)
      log.write((tx) => {
        assert.equal(log.writesInTransaction(tx), 0)
        const id = log.append(tx, { key: Buffer.from('kept'), rev: 2, createRev: 2, version: 1, lease: 0, value: Buffer.from('x') })
        log.setLive(tx, Buffer.from('kept'), { id, modRev: 2, createRev: 2, version: 1, lease: 0 })
        assert.equal(log.writesInTransaction(tx), 2)
        log.setRevision(tx, 2)
        assert.equal(log.writesInTransaction(tx), 3)
      })
      log.write((tx) => assert.equal(log.writesInTransaction(tx), 0, 'the count restarts with each transaction'))
      assert.deepEqual([...log.scan(log.autocommit)].map((r) => r.key.toString()), ['kept'])
      await cleanup()
    })

    test('a tombstone with a value is refused by an assertion', async () => {
      const { log, cleanup } = make()
      assert.throws(() => log.write((tx) => log.append(tx, { key: Buffer.from('t'), rev: 2, createRev: 0, version: 0, lease: 0, value: Buffer.from('x') })), { name: 'AssertionError' })
      await cleanup()
    })
  })
}

// C1-C5 (reference §5): what compaction keeps, its errors, physical vs background removal,
// space reclaimed, a large history under concurrent writes, and resuming after a reopen.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { CompactedError, FutureRevisionError, type OpenStoreOptions, type Store } from '../../src/index.js'
import { openTestStore as open, text } from '../support/temp-store.js'
import { rejectsWith } from '../support/assertions.js'

const compacted = (p: Promise<unknown>) => rejectsWith(p, CompactedError, 'Expired', /required revision has been compacted/)

/** Log rows left, as counted by store.check(). */
async function rows(store: Store): Promise<number> {
  const report = await store.check()
  assert.deepEqual(report.problems, [])
  return report.rows
}

/** Yields to the event loop (no timer) until the background compaction leaves `expected` rows. */
async function untilRows(store: Store, expected: number): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if (i % 16 === 0 && (await rows(store)) === expected) return
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  assert.equal(await rows(store), expected, 'background compaction did not finish')
}

/** meta as stored on disk, read through a second connection. */
function metaOnDisk(path: string): { compactRevision: number; compactedRevision: number; cursor: number; rows: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const m = db.prepare('SELECT compact_revision, compacted_revision, compact_cursor FROM meta WHERE id = 1').get() as {
      compact_revision: number
      compacted_revision: number
      compact_cursor: number
    }
    const n = db.prepare('SELECT count(*) FROM log').pluck().get() as number
    return { compactRevision: m.compact_revision, compactedRevision: m.compacted_revision, cursor: m.compact_cursor, rows: n }
  } finally {
    db.close()
  }
}

test('C1: versions older than the newest <= R go; the newest <= R and everything > R stay', async (t) => {
  const { store } = await open(t)
  await store.put('c', 'c1') // 2: newest <= R for c, far below R
  await store.put('a', 'a1') // 3
  await store.put('a', 'a2') // 4
  await store.put('a', 'a3') // 5 = R
  await store.put('b', 'b1') // 6
  await store.put('a', 'a4') // 7
  assert.equal(await rows(store), 6)
  const r = await store.compact(5, { physical: true })
  assert.equal(r.revision, 7)
  assert.equal(await rows(store), 4, 'a@3 and a@4 removed')
  assert.equal(store.compactRevision, 5)
  const at5 = await store.range({ key: '\0', rangeEnd: '\0', revision: 5 })
  assert.deepEqual(
    at5.kvs.map((kv) => [text(kv.key), text(kv.value), kv.createRevision, kv.modRevision, kv.version]),
    [
      ['a', 'a3', 3, 5, 3],
      ['c', 'c1', 2, 2, 1],
    ],
  )
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0', revision: 6 })).kvs.map((kv) => text(kv.value)), ['a3', 'b1', 'c1'])
  const now = await store.get('a')
  assert.deepEqual([text(now?.value), now?.version, now?.createRevision], ['a4', 4, 3])
  await compacted(store.range({ key: 'a', revision: 4 }))
  await compacted(store.range({ key: 'c', revision: 2 }))
})

test('C1: compaction does not bump the revision', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1')
  await store.put('a', '2')
  const before = await store.status()
  assert.equal((await store.compact(3, { physical: true })).revision, 3)
  const after = await store.status()
  assert.equal(after.revision, before.revision)
  assert.equal(after.compactRevision, 3)
  assert.equal(before.compactRevision, 0)
  assert.equal((await store.put('a', '3')).revision, 4)
})

test('C1: a tombstone exactly at R survives; one below R is removed with its history', async (t) => {
  const { store } = await open(t)
  await store.put('x', 'x1') // 2
  await store.put('y', 'y1') // 3
  await store.deleteRange({ key: 'x' }) // 4 = R
  await store.compact(4, { physical: true })
  assert.equal(await rows(store), 2, 'x@2 removed; the tombstone x@4 and y@3 kept')
  const at4 = await store.range({ key: '\0', rangeEnd: '\0', revision: 4 })
  assert.deepEqual(at4.kvs.map((kv) => text(kv.key)), ['y'])
  assert.equal((await store.range({ key: 'x', revision: 4 })).count, 0)
  await compacted(store.range({ key: 'x', revision: 3 }))
  await store.put('z', 'z1') // 5
  await store.compact(5, { physical: true })
  assert.equal(await rows(store), 2, 'the tombstone x@4 is below R = 5 now: gone')
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0', revision: 5 })).kvs.map((kv) => text(kv.key)), ['y', 'z'])
  // A re-created key starts a fresh life after its old one was compacted away.
  await store.put('x', 'x2') // 6
  const x = await store.get('x')
  assert.deepEqual([x?.version, x?.createRevision], [1, 6])
})

test('C2: compacting at or below the compaction point is ErrCompacted; above the revision is ErrFutureRev', async (t) => {
  const { store } = await open(t)
  for (let i = 0; i < 5; i++) await store.put('k', String(i)) // 2..6
  await store.compact(4)
  await compacted(store.compact(4))
  await compacted(store.compact(3))
  await compacted(store.compact(4, { physical: true }))
  await rejectsWith(store.compact(7), FutureRevisionError, 'Timeout', /required revision is a future revision/)
  await rejectsWith(store.compact(100, { physical: true }), FutureRevisionError, 'Timeout', /future revision/)
  assert.equal(store.compactRevision, 4)
  assert.equal((await store.compact(6, { physical: true })).revision, 6)
  assert.equal(store.compactRevision, 6)
  assert.equal(store.revision, 6)
  await compacted(store.compact(6))
})

test('C2: compactions issued together are applied in order: a lower one after a higher one is ErrCompacted', async (t) => {
  const ts = await open(t)
  for (let i = 0; i < 6; i++) await ts.store.put('k', String(i)) // 2..7
  // Submitted in one tick, so they share one group commit; compact(4) is applied after compact(5).
  const high = ts.store.compact(5)
  const low = compacted(ts.store.compact(4))
  const same = compacted(ts.store.compact(5))
  assert.equal((await high).revision, 7)
  await low
  await same
  assert.equal(ts.store.compactRevision, 5)
  await compacted(ts.store.range({ key: 'k', revision: 4 }))
  const store = await ts.reopen()
  assert.equal(store.compactRevision, 5, 'the compaction point never moves back')
  await compacted(store.range({ key: 'k', revision: 4 }))
})

test('C4: a txn queued right after a compaction cannot read below it', async (t) => {
  const { store } = await open(t)
  for (let i = 0; i < 6; i++) await store.put('k', String(i)) // 2..7
  const compaction = store.compact(5)
  const txn = compacted(store.txn({ success: [{ put: { key: 'x', value: '1' } }, { range: { key: 'k', revision: 3 } }] }))
  assert.equal((await compaction).revision, 7)
  await txn
  assert.equal(await store.get('x'), undefined)
  assert.equal(store.revision, 7)
})

test('C3: physical:true returns only when the old rows are gone', async (t) => {
  const { store } = await open(t, { limits: { compactionBatchRowsMax: 1 } })
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.put('k', String(i)))) // 2..201
  assert.equal(store.revision, 201)
  await store.compact(201, { physical: true })
  assert.equal(await rows(store), 1)
  assert.equal(text((await store.get('k'))?.value), '199')
})

test('C3: without physical, compact returns once the point is durable; removal finishes in the background', async (t) => {
  const ts = await open(t, { limits: { compactionBatchRowsMax: 1 } })
  const { store } = ts
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.put('k', String(i)))) // 2..201
  await store.compact(150)
  // Reads below the point fail at once, although (one row per step) removal has barely begun.
  await compacted(store.range({ key: 'k', revision: 149 }))
  assert.equal(metaOnDisk(ts.path).compactRevision, 150, 'the compaction point is on disk')
  assert.ok((await rows(store)) > 52, 'rows are removed in the background, after compact() returned')
  assert.equal(text((await store.range({ key: 'k', revision: 150 })).kvs[0]?.value), '148')
  await untilRows(store, 52) // k@150..k@201
  assert.equal(text((await store.range({ key: 'k', revision: 150 })).kvs[0]?.value), '148')
  assert.equal(store.revision, 201)
})

test('C3: a physical compaction issued while another runs waits for its own revision', async (t) => {
  const { store } = await open(t, { limits: { compactionBatchRowsMax: 5 } })
  await Promise.all(Array.from({ length: 100 }, (_, i) => store.put('k', String(i)))) // 2..101
  const first = store.compact(50)
  const second = store.compact(90, { physical: true })
  assert.deepEqual([(await first).revision, (await second).revision], [101, 101])
  assert.equal(await rows(store), 12, 'k@90..k@101')
  assert.equal(store.compactRevision, 90)
  assert.equal(text((await store.get('k', { revision: 90 }))?.value), '88')
})

test('C4: after compact(R) reads below R fail everywhere, at R and above they work', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1') // 2
  await store.put('a', '2') // 3
  await store.put('a', '3') // 4
  await store.compact(3)
  await compacted(store.range({ key: 'a', revision: 2 }))
  await compacted(store.get('a', { revision: 2 }))
  await compacted(store.txn({ success: [{ range: { key: 'a', revision: 2 } }] }))
  assert.equal(text((await store.get('a', { revision: 3 }))?.value), '2')
  assert.equal(text((await store.get('a', { revision: 4 }))?.value), '3')
})

test('C5: after overwriting large values, a physical compaction shrinks dbSize and dbSizeInUse', async (t) => {
  const { store } = await open(t)
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => store.put(`big/${k}`, randomBytes(16 * 1024))))
  }
  const before = await store.status()
  assert.ok(before.dbSize >= 200 * 16 * 1024, `dbSize ${before.dbSize} holds 200 values of 16 KiB`)
  await store.compact(store.revision, { physical: true })
  const after = await store.status()
  assert.ok(after.dbSizeInUse <= after.dbSize)
  assert.ok(after.dbSizeInUse < before.dbSizeInUse / 4, `in use ${before.dbSizeInUse} -> ${after.dbSizeInUse}`)
  assert.ok(after.dbSize < before.dbSize / 4, `file ${before.dbSize} -> ${after.dbSize}`)
  assert.equal((await store.range({ key: 'big/', prefix: true, countOnly: true })).count, 10)
  assert.equal((await store.get('big/3'))?.value.length, 16 * 1024)
  assert.equal(await rows(store), 10)
})

test('C3: compacting a 50k-row history while writes keep coming: every write acknowledged, history intact', async (t) => {
  const { store } = await open(t)
  const keysN = 1000
  const roundsN = 50
  for (let round = 0; round < roundsN; round++) {
    await Promise.all(Array.from({ length: keysN }, (_, k) => store.put(`k${k}`, `r${round}`)))
  }
  const R = store.revision
  assert.equal(R, 1 + keysN * roundsN)
  const compaction = store.compact(R, { physical: true })
  const acks: number[] = []
  const wavesN = 20
  const waveN = 100
  for (let wave = 0; wave < wavesN; wave++) {
    const writes = Array.from({ length: waveN }, (_, i) => store.put(`k${(wave * waveN + i) % keysN}`, `w${wave}`))
    const atR = store.range({ key: 'k', prefix: true, revision: R, countOnly: true })
    for (const r of await Promise.all(writes)) acks.push(r.revision)
    assert.equal((await atR).count, keysN)
  }
  await compaction
  assert.equal(acks.length, wavesN * waveN)
  assert.deepEqual(acks, Array.from({ length: acks.length }, (_, i) => R + 1 + i), 'one revision per write, in order')
  assert.equal(store.revision, R + wavesN * waveN)
  assert.equal(await rows(store), keysN + wavesN * waveN)
  const atR = await store.range({ key: 'k', prefix: true, revision: R })
  assert.equal(atR.count, keysN)
  assert.ok(atR.kvs.every((kv) => text(kv.value) === `r${roundsN - 1}` && kv.version === roundsN))
  await compacted(store.range({ key: 'k0', revision: R - 1 }))
  // k0 was written by waves 0 and 10 (write 0 and write 1000 of 2000).
  const k0 = await store.get('k0')
  assert.deepEqual([text(k0?.value), k0?.version], ['w10', roundsN + 2])
})

test('C3: a compaction interrupted by close resumes on reopen', async (t) => {
  const ts = await open(t, { limits: { compactionBatchRowsMax: 10 } })
  await Promise.all(Array.from({ length: 300 }, (_, i) => ts.store.put('k', String(i)))) // 2..301
  await ts.store.compact(301)
  await ts.store.close()
  const onDisk = metaOnDisk(ts.path)
  assert.equal(onDisk.compactRevision, 301)
  assert.ok(onDisk.compactedRevision < 301, 'removal had not finished at close')
  assert.equal(onDisk.rows, 300)
  const store = await ts.reopen()
  assert.equal(store.compactRevision, 301)
  await compacted(store.range({ key: 'k', revision: 300 }))
  await untilRows(store, 1)
  assert.equal(store.revision, 301)
  assert.equal(text((await store.get('k'))?.value), '299')
  assert.equal(metaOnDisk(ts.path).compactedRevision, 301)
})

test('C3: a compaction closed after some of its steps resumes from its cursor', async (t) => {
  const ts = await open(t, { limits: { compactionBatchRowsMax: 10 } })
  await Promise.all(Array.from({ length: 300 }, (_, i) => ts.store.put('k', String(i)))) // 2..301
  await ts.store.compact(200)
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve))
  await ts.store.close()
  const onDisk = metaOnDisk(ts.path)
  assert.ok(onDisk.cursor > 0, 'some steps ran')
  assert.ok(onDisk.rows < 300 && onDisk.rows > 102, `partly removed: ${onDisk.rows} rows`)
  assert.ok(onDisk.compactedRevision < 200)
  const store = await ts.reopen()
  await untilRows(store, 102) // k@200..k@301
  assert.equal(text((await store.get('k', { revision: 200 }))?.value), '198')
  assert.equal(metaOnDisk(ts.path).compactedRevision, 200)
})

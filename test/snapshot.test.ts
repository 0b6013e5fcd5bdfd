// Snapshots (M3) and defragment (M2): a consistent copy while writers run, a checksum that
// catches damage, restore into a new file, and a defragment that returns space.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CorruptionError, InvalidArgumentError, openStore, restoreSnapshot, saveSnapshot, snapshotStatus } from '../src/index.js'
import { openTestStore, tempDir, text } from './support/temp-store.js'

test('a snapshot taken while writers run is the store at one revision, and restores', async (t) => {
  const ts = await openTestStore(t)
  const dir = tempDir()
  t.after(() => dir.remove())
  let stop = false
  let n = 0
  const writers = Array.from({ length: 8 }, async (_, w) => {
    while (!stop) await ts.store.put(`k/${w}/${n++ % 50}`, `v${n}`)
  })
  while (ts.store.revision < 300) await ts.store.flush()
  const snap = await saveSnapshot(ts.store, join(dir.path, 'snap.db'))
  stop = true
  await Promise.all(writers)
  assert.ok(snap.revision >= 300, `snapshot at revision ${snap.revision}`)
  assert.equal(readFileSync(join(dir.path, 'snap.db.sha256'), 'utf8').trim(), snap.sha256)
  const restored = restoreSnapshot(join(dir.path, 'snap.db'), join(dir.path, 'restored.db'))
  assert.deepEqual(restored, snap)
  const copy = await openStore({ path: join(dir.path, 'restored.db') })
  t.after(() => copy.close())
  assert.equal(copy.revision, snap.revision)
  // Every key of the copy holds what the live store held at that revision, and nothing is missing.
  const mine = await copy.range({ key: '\0', rangeEnd: '\0' })
  const then = await ts.store.range({ key: '\0', rangeEnd: '\0', revision: snap.revision })
  assert.equal(mine.kvs.length, snap.keys)
  assert.deepEqual(mine.kvs, then.kvs)
  assert.deepEqual((await copy.check()).problems, [])
})

test('snapshot status catches a damaged file; restore refuses to overwrite', async (t) => {
  const ts = await openTestStore(t)
  const dir = tempDir()
  t.after(() => dir.remove())
  await ts.store.put('a', '1')
  const path = join(dir.path, 's.db')
  const snap = await saveSnapshot(ts.store, path)
  assert.deepEqual(snapshotStatus(path), snap)
  // One self-contained file (and its checksum): no -wal or -shm beside it, after save or status.
  assert.deepEqual(readdirSync(dir.path).sort(), ['s.db', 's.db.sha256'])
  assert.equal(snap.keys, 1)
  assert.equal(snap.revision, 2)
  await assert.rejects(saveSnapshot(ts.store, path), InvalidArgumentError)
  assert.throws(() => restoreSnapshot(path, path), InvalidArgumentError)
  const bytes = readFileSync(path)
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff
  writeFileSync(path, bytes)
  assert.throws(() => snapshotStatus(path), CorruptionError)
  assert.throws(() => restoreSnapshot(path, join(dir.path, 'never.db')), CorruptionError)
})

test('defragment hands back the space of half-empty pages and keeps every key', async (t) => {
  const ts = await openTestStore(t)
  const value = Buffer.alloc(2000, 7)
  for (let b = 0; b < 20; b++) await Promise.all(Array.from({ length: 100 }, (_, i) => ts.store.put(`k/${b * 100 + i}`, value)))
  for (let i = 0; i < 2000; i += 2) await ts.store.deleteRange({ key: `k/${i}` })
  await ts.store.compact(ts.store.revision, { physical: true })
  const before = await ts.store.status()
  const after = await ts.store.defragment()
  assert.ok(after.dbSize < before.dbSize * 0.8, `defragment shrank ${before.dbSize} to ${after.dbSize}`)
  const left = await ts.store.range({ key: 'k/', prefix: true, countOnly: true })
  assert.equal(left.count, 1000)
  assert.equal(text((await ts.store.get('k/1'))?.value), value.toString())
})

// Damage in a row is found where the row is read (issue 16): a CorruptionError naming the key and
// revision, writes refused from then on, and snapshots of a damaged store or file refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { CorruptionError, openStore, restoreSnapshot, saveSnapshot, snapshotStatus, verifySnapshot } from '../src/index.js'
import { tempDir } from './support/temp-store.js'

const MARKER = 'value-with-a-unique-marker-0123456789'

/** A closed store file holding `damaged` (whose value contains MARKER) and one other key. */
async function storeFile(path: string): Promise<void> {
  const store = await openStore({ path })
  await store.put('healthy', 'fine')
  await store.put('damaged', MARKER)
  await store.close()
}

/** Flips one byte of the MARKER value in place, as a bad sector or a stray write would. */
function flipMarker(path: string): void {
  const bytes = readFileSync(path)
  const at = bytes.indexOf(MARKER)
  assert.ok(at > 0, 'the value is in the file')
  bytes[at + 5] = (bytes[at + 5] ?? 0) ^ 0x20
  writeFileSync(path, bytes)
}

test('corruption: a damaged value is a CorruptionError naming key and revision; writes are then refused', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const path = join(dir.path, 'etchlog.db')
  await storeFile(path)
  flipMarker(path)
  const store = await openStore({ path })
  t.after(() => store.close())
  assert.equal((await store.get('healthy'))?.value.toString(), 'fine', 'other rows still read')
  await assert.rejects(store.get('damaged'), (err: unknown) => {
    assert.ok(err instanceof CorruptionError)
    assert.equal(err.code, 'InternalError')
    assert.match(err.message, /corrupt row \(key "damaged", revision 3\): its value does not match its checksum/)
    return true
  })
  await assert.rejects(store.put('new', 'x'), /writes refused: the file is known to be corrupt/)
  const keysOnly = await store.range({ key: 'damaged', keysOnly: true })
  assert.equal(keysOnly.count, 1, 'a keys-only read does not read the value, and its fields are intact')
  const report = await store.check()
  assert.equal(report.ok, false)
  assert.match(report.problems.join('\n'), /corrupt row \(key "damaged"/)
  await assert.rejects(saveSnapshot(store, join(dir.path, 'snap.db')), CorruptionError)
  assert.equal(existsSync(join(dir.path, 'snap.db')), false, 'no damaged snapshot is left behind')
})

test('corruption: snapshot status and restore refuse a damaged file even when its sha256 was rewritten', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const store = await openStore({ path: join(dir.path, 'etchlog.db') })
  await store.put('healthy', 'fine')
  await store.put('damaged', MARKER)
  const snap = join(dir.path, 'snap.db')
  const saved = await saveSnapshot(store, snap)
  await store.close()
  assert.equal(snapshotStatus(snap).sha256, saved.sha256)
  flipMarker(snap)
  writeFileSync(`${snap}.sha256`, `${createHash('sha256').update(readFileSync(snap)).digest('hex')}\n`)
  assert.throws(() => verifySnapshot(snap), /corrupt row \(key "damaged"/)
  assert.throws(() => snapshotStatus(snap), CorruptionError)
  assert.throws(() => restoreSnapshot(snap, join(dir.path, 'restored.db')), CorruptionError)
  assert.equal(existsSync(join(dir.path, 'restored.db')), false)
})

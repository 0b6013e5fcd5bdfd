// Callbacks cannot reach the writer (issue 16): a commit listener that throws is reported and
// counted, a transformer that throws fails only its own write or read, and every promise settles.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError, TransformerError } from '../../src/index.js'
import { tempStore, text } from '../support/temp-store.js'

interface Transformer {
  toStorage(key: Uint8Array, plaintext: Uint8Array): Uint8Array
  fromStorage(key: Uint8Array, stored: Uint8Array): { value: Uint8Array; stale: boolean }
}

test('isolation: a throwing commit listener is reported and counted, writes go on', async (t) => {
  const reported: unknown[] = []
  const s = await tempStore({ onError: (err) => reported.push(err) })
  t.after(() => s.done())
  const seen: number[] = []
  s.store.onCommit(() => {
    throw new Error('listener bug')
  })
  s.store.onCommit((h) => seen.push(h.revision))
  const [a, b] = await Promise.all([s.store.put('a', '1'), s.store.put('b', '2')])
  assert.equal(a.revision, 2)
  assert.equal(b.revision, 3)
  assert.ok(seen.includes(3), 'the listener after the throwing one still ran')
  assert.ok(s.store.listenerErrorCount >= 1)
  assert.equal(reported.length, s.store.listenerErrorCount)
  assert.match((reported[0] as Error).message, /listener bug/)
  assert.equal(text((await s.store.get('b'))?.value), '2')
})

test('isolation: a throwing onError hook does not stop the writer either', async (t) => {
  const s = await tempStore({
    onError: () => {
      throw new Error('hook bug')
    },
  })
  t.after(() => s.done())
  const warned = new Promise<Error>((resolve) => process.once('warning', resolve))
  s.store.onCommit(() => {
    throw new Error('listener bug')
  })
  assert.equal((await s.store.put('k', 'v')).revision, 2)
  assert.match((await warned).message, /hook bug/)
  assert.equal(s.store.listenerErrorCount, 1)
})

test('isolation: onCommit(null) is refused, typed', async (t) => {
  const s = await tempStore()
  t.after(() => s.done())
  assert.throws(() => s.store.onCommit(null as never), InvalidArgumentError)
  assert.equal((await s.store.put('k', 'v')).revision, 2)
})

/** A transformer whose key service is "down" for keys starting with `down`. */
function flaky(): Transformer {
  return {
    toStorage(key, plaintext) {
      if (Buffer.from(key).toString().startsWith('down')) throw new Error('key service unavailable')
      return plaintext
    },
    fromStorage(key, stored) {
      if (Buffer.from(key).toString().startsWith('gone')) throw new Error('key service unavailable')
      return { value: stored, stale: false }
    },
  }
}

test('isolation: a transformer failure fails only its own write; the group commits', async (t) => {
  const s = await tempStore({ transformer: flaky() })
  t.after(() => s.done())
  const results = await Promise.allSettled([s.store.put('ok1', 'a'), s.store.put('down1', 'b'), s.store.put('ok2', 'c')])
  assert.equal(results[0]?.status, 'fulfilled')
  assert.equal(results[2]?.status, 'fulfilled')
  assert.equal(results[1]?.status, 'rejected')
  const reason = (results[1] as PromiseRejectedResult).reason as TransformerError
  assert.ok(reason instanceof TransformerError)
  assert.equal(reason.code, 'InternalError')
  assert.match(reason.message, /toStorage failed for key "down1": key service unavailable/)
  assert.equal(s.store.revision, 3, 'two puts committed, the failed one took no revision')
  const txn = s.store.txn({ success: [{ put: { key: 'ok3', value: 'x' } }, { put: { key: 'down2', value: 'y' } }] })
  await assert.rejects(txn, TransformerError)
  assert.equal(await s.store.get('ok3'), undefined, 'a txn is all or nothing')
})

test('isolation: a transformer failure on read fails that read, typed', async (t) => {
  const s = await tempStore({ transformer: flaky() })
  t.after(() => s.done())
  await s.store.put('gone1', 'v')
  await s.store.put('fine', 'w')
  await assert.rejects(s.store.get('gone1'), TransformerError)
  await assert.rejects(s.store.range({ key: '\0', rangeEnd: '\0' }), TransformerError)
  assert.equal(text((await s.store.get('fine'))?.value), 'w')
  const bytesOnly = await s.store.range({ key: '\0', rangeEnd: '\0', countOnly: true })
  assert.equal(bytesOnly.count, 2)
})

test('isolation: a transformer that returns no bytes is a typed failure', async (t) => {
  const s = await tempStore({
    transformer: { toStorage: () => 'not bytes' as never, fromStorage: (_k, v) => ({ value: v, stale: false }) },
  })
  t.after(() => s.done())
  await assert.rejects(s.store.put('k', 'v'), TransformerError)
  assert.equal(s.store.revision, 1)
})

test('isolation: compact(3, null) is refused before the compaction commits', async (t) => {
  const s = await tempStore()
  t.after(() => s.done())
  for (let i = 0; i < 4; i++) await s.store.put('k', String(i))
  await assert.rejects(s.store.compact(3, null as never), InvalidArgumentError)
  assert.equal(s.store.compactRevision, 0, 'nothing was compacted')
  assert.equal(text((await s.store.get('k', { revision: 2 }))?.value), '0')
})

test('isolation: a listener throwing a hostile value (null prototype) is still only reported', async (t) => {
  const reported: unknown[] = []
  const s = await tempStore({ onError: (err) => reported.push(err) })
  t.after(() => s.done())
  s.store.onCommit(() => {
    throw Object.create(null)
  })
  assert.equal((await s.store.put('k', 'v')).revision, 2)
  assert.equal(reported.length, 1)
  const noHook = await tempStore()
  t.after(() => noHook.done())
  const warned = new Promise<Error>((resolve) => process.once('warning', resolve))
  noHook.store.onCommit(() => {
    throw Object.create(null)
  })
  assert.equal((await noHook.store.put('k', 'v')).revision, 2)
  assert.match((await warned).message, /a commit listener threw: an object/)
})

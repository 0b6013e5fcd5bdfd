// A fast-check fuzz of the public store API (issue 16): random valid and invalid calls. Every
// failure is a typed StorageError, a failed call changes nothing (a hash of every key, value,
// version and the revisions before and after), no call hangs, and at the end check() is clean
// and a reopened store is identical. ETCHLOG_FUZZ_RUNS (default 25) sets the number of runs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { FakeClock, StorageError, type Store } from '../../src/index.js'
import { tempStore } from '../support/temp-store.js'

const RUNS = Number(process.env['ETCHLOG_FUZZ_RUNS'] ?? 25)
const CALL_TIMEOUT_MS = 5000

/** Values a confused or hostile caller might pass anywhere. */
const junk = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, Number.NaN, -1, 0, 1.5, 2 ** 60, Infinity, '', '\0', [], {}, () => 1, Symbol('s'), 10n, Object.create(null)),
  fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, maxDepth: 2 }),
)
const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'a/1', 'a/2', '\u00ff', '\0a'), fc.uint8Array({ minLength: 1, maxLength: 3 }))
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: junk })
const revision = fc.integer({ min: -2, max: 40 })
const options = (shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> => maybe(fc.record(shape, { requiredKeys: [] }))

type Call = { name: string; run(store: Store): unknown }
const call = (name: string, args: fc.Arbitrary<unknown[]>, run: (store: Store, args: unknown[]) => unknown): fc.Arbitrary<Call> =>
  args.map((a) => ({ name: `${name}(${a.map(show).join(', ')})`, run: (store: Store) => run(store, a) }))

function show(v: unknown): string {
  try {
    return typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function' ? String(v) : (JSON.stringify(v) ?? String(v))
  } catch {
    // Cyclic or hostile: the name is only a label for a failing case.
    return typeof v
  }
}

const op = fc.oneof(
  maybe(fc.record({ put: fc.record({ key, value: key }) })),
  maybe(fc.record({ range: fc.record({ key }) })),
  maybe(fc.record({ deleteRange: fc.record({ key, prefix: fc.boolean() }) })),
)
const api = fc.oneof(
  call('put', fc.tuple(maybe(key), maybe(key), options({ prevKv: maybe(fc.boolean()), lease: maybe(fc.constant(0)) })), (s, [k, v, o]) => s.put(k as never, v as never, o as never)),
  call('get', fc.tuple(maybe(key), options({ revision: maybe(revision) })), (s, [k, o]) => s.get(k as never, o as never)),
  call('range', fc.tuple(options({ key: maybe(key), prefix: maybe(fc.boolean()), limit: maybe(fc.nat(5)), revision: maybe(revision), keysOnly: maybe(fc.boolean()) })), (s, [r]) => s.range(r as never)),
  call('deleteRange', fc.tuple(options({ key: maybe(key), prefix: maybe(fc.boolean()), prevKv: maybe(fc.boolean()) })), (s, [r]) => s.deleteRange(r as never)),
  call(
    'txn',
    fc.tuple(options({ compare: maybe(fc.array(maybe(fc.record({ key, target: fc.constantFrom('VERSION', 'MOD', 'VALUE'), result: fc.constantFrom('EQUAL', 'GREATER'), value: fc.oneof(fc.nat(5), key) })), { maxLength: 2 })), success: maybe(fc.array(op, { maxLength: 3 })), failure: maybe(fc.array(op, { maxLength: 3 })) })),
    (s, [t]) => s.txn(t as never),
  ),
  call('compact', fc.tuple(maybe(revision), options({ physical: maybe(fc.boolean()) })), (s, [r, o]) => s.compact(r as never, o as never)),
  call('leaseGrant', fc.tuple(maybe(fc.integer({ min: -1, max: 100 })), maybe(fc.integer({ min: 0, max: 5 }))), (s, [ttl, id]) => s.leaseGrant(ttl as never, id as never)),
  call('leaseRevoke', fc.tuple(maybe(fc.integer({ min: 0, max: 5 }))), (s, [id]) => s.leaseRevoke(id as never)),
  call('leaseKeepAlive', fc.tuple(maybe(fc.integer({ min: 0, max: 5 }))), (s, [id]) => s.leaseKeepAlive(id as never)),
  call('leaseTimeToLive', fc.tuple(maybe(fc.integer({ min: 0, max: 5 })), options({ keys: maybe(fc.boolean()) })), (s, [id, o]) => s.leaseTimeToLive(id as never, o as never)),
  call('readEvents', fc.tuple(maybe(fc.integer({ min: -1, max: 50 })), maybe(fc.integer({ min: 0, max: 10 }))), (s, [a, l]) => s.readEvents(a as never, l as never)),
  call('watch', fc.tuple(options({ key: maybe(key), startRevision: maybe(revision), prevKv: maybe(fc.boolean()), signal: junk })), (s, [r]) => s.watch(r as never).cancel()),
  call('onCommit', fc.tuple(maybe(fc.constant(() => undefined))), (s, [l]) => (s.onCommit(l as never) as () => void)()),
  call('rangeFromCache', fc.tuple(options({ key: maybe(key), prefix: maybe(fc.boolean()) })), (s, [r]) => s.rangeFromCache(r as never)),
)

/** Everything a caller can observe of the store's data: every live key with its row, and the revisions. */
async function hash(store: Store): Promise<string> {
  const all = await store.range({ key: '\0', rangeEnd: '\0' })
  const h = createHash('sha256').update(`${store.revision}/${store.compactRevision}`)
  for (const kv of all.kvs) h.update(`${Buffer.from(kv.key).toString('hex')}:${Buffer.from(kv.value).toString('hex')}:${kv.version}:${kv.modRevision}:${kv.createRevision}:${kv.lease};`)
  return h.digest('hex')
}

async function settle(value: unknown): Promise<{ ok: true } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: no answer in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS)
  })
  try {
    await Promise.race([Promise.resolve(value), deadline])
    return { ok: true }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('hang:')) throw error
    return { ok: false, error }
  } finally {
    clearTimeout(timer)
  }
}

test(`fuzz: ${RUNS} runs of random valid and invalid calls over the public API`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(api, { minLength: 1, maxLength: 25 }), async (calls) => {
      const s = await tempStore({ clock: new FakeClock() })
      try {
        for (const c of calls) {
          const before = await hash(s.store)
          let outcome: { ok: true } | { ok: false; error: unknown }
          try {
            outcome = await settle(c.run(s.store))
          } catch (error) {
            if (error instanceof Error && error.message.startsWith('hang:')) throw new Error(`${c.name}: ${error.message}`)
            outcome = { ok: false, error }
          }
          if (outcome.ok) continue
          assert.ok(outcome.error instanceof StorageError, `${c.name} failed untyped: ${String(outcome.error)}`)
          assert.equal(await hash(s.store), before, `${c.name} failed (${outcome.error.message}) but changed data`)
        }
        await s.store.flush()
        const end = await hash(s.store)
        await s.reopen()
        assert.equal(await hash(s.store), end, 'a reopened store is identical')
      } finally {
        await s.done()
      }
    }),
    { numRuns: RUNS },
  )
})

// A fast-check fuzz of the object API (issue 16): random valid and invalid create, get, list,
// guaranteedUpdate, delete and watch calls. Every failure is a typed StorageError, a failed call
// changes nothing (the store's revision and every key's row), and no call hangs.
// ETCHLOG_FUZZ_RUNS (default 25) sets the number of runs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { StorageError, systemClock } from '../../src/index.js'
import type { KubeObject } from '../../src/codec/index.js'
import { openObjectStore, pod } from '../support/object-store.js'

const RUNS = Number(process.env['ETCHLOG_FUZZ_RUNS'] ?? 25)

const junk = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, Number.NaN, -1, 1.5, '', [], {}, Symbol('s'), 10n, Object.create(null)),
  fc.anything({ withBigInt: true, withNullPrototype: true, maxDepth: 2 }),
)
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: junk })
const key = maybe(fc.constantFrom('/pods/a', '/pods/b', '/pods/c', '/pods/', '/pods/../x'))
const rv = maybe(fc.constantFrom('', '0', '1', '2', '5', '99', 'x'))
const opts = (shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> => maybe(fc.record(shape, { requiredKeys: [] }))
const object = maybe(fc.constantFrom('a', 'b').map((n) => pod(n)))

type Objects = Awaited<ReturnType<typeof openObjectStore>>['objects']
type Call = { name: string; run(o: Objects): unknown }
const call = (name: string, args: fc.Arbitrary<unknown[]>, run: (o: Objects, a: unknown[]) => unknown): fc.Arbitrary<Call> =>
  args.map((a) => ({ name: `${name}(${a.map((v) => typeof v === 'object' && v !== null ? JSON.stringify(Object.keys(v)) : typeof v).join(', ')})`, run: (o: Objects) => run(o, a) }))
// tryUpdate (an upsert when ignoreNotFound: then it sees undefined). Its own errors would reach the caller as they are.
const keep = (o: KubeObject | undefined): KubeObject => (o === undefined ? pod('new') : { ...o, metadata: { ...o.metadata, labels: { touched: 'yes' } } })

const calls = fc.oneof(
  call('create', fc.tuple(key, object, opts({ ttlSeconds: maybe(fc.integer({ min: 1, max: 100 })) })), (o, [k, ob, op]) => o.create(k as never, ob as never, op as never)),
  call('get', fc.tuple(key, opts({ resourceVersion: rv, ignoreNotFound: maybe(fc.boolean()) })), (o, [k, op]) => o.get(k as never, op as never)),
  call('list', fc.tuple(maybe(fc.constant('/pods')), opts({ resourceVersion: rv, limit: maybe(fc.nat(3)), labelSelector: maybe(fc.constantFrom('a=b', '!!')) })), (o, [k, op]) => o.list(k as never, op as never)),
  call('update', fc.tuple(key, maybe(fc.constant(keep)), opts({ preconditions: opts({ uid: maybe(fc.constant('uid-1')), resourceVersion: rv }), ignoreNotFound: maybe(fc.boolean()) })), (o, [k, f, op]) => o.guaranteedUpdate(k as never, f as never, op as never)),
  call('delete', fc.tuple(key, opts({ preconditions: opts({ uid: maybe(fc.constant('uid-1')), resourceVersion: rv }) })), (o, [k, op]) => o.delete(k as never, op as never)),
  call('watch', fc.tuple(maybe(fc.constant('/pods')), opts({ resourceVersion: rv, sendInitialEvents: maybe(fc.boolean()), allowWatchBookmarks: maybe(fc.boolean()), signal: junk })), (o, [k, op]) => o.watch(k as never, op as never).cancel()),
)

test(`objects fuzz: ${RUNS} runs of random valid and invalid object calls`, async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(calls, { minLength: 1, maxLength: 15 }), async (list) => {
      // The store on the real clock with a short cache wait: a read "not older than" a revision the
      // store has not reached answers Timeout after 50 ms instead of waiting on a fake clock forever.
      const { objects, store } = await openObjectStore(t, { clock: systemClock, limits: { watchCacheWaitMs: 50 } })
      const state = async (): Promise<string> => {
        const all = await store.range({ key: '\0', rangeEnd: '\0' })
        return `${store.revision}|${all.kvs.map((kv) => `${Buffer.from(kv.key).toString()}@${kv.modRevision}`).join(',')}`
      }
      for (const c of list) {
        const before = await state()
        let error: unknown
        let timer: NodeJS.Timeout | undefined
        const hang = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${c.name}: no answer in 5000 ms`)), 5000)
        })
        try {
          await Promise.race([Promise.resolve(c.run(objects)), hang])
        } catch (err) {
          if (err instanceof Error && err.message.endsWith('no answer in 5000 ms')) throw err
          error = err
        } finally {
          clearTimeout(timer)
        }
        if (error === undefined) continue
        assert.ok(error instanceof StorageError, `${c.name} failed untyped: ${String(error)}`)
        assert.equal(await state(), before, `${c.name} failed (${error.message}) but changed data`)
      }
    }),
    { numRuns: RUNS },
  )
})

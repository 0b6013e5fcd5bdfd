// Property: random creates / updates / deletes on a few keys; a watcher from a random past RV
// ("N", "0" or sendInitialEvents), with or without a label selector, opened part-way through.
// The state at its start plus its event stream must equal the final state of the prefix, and each
// event must make sense for the state it applies to (no ADDED for a known object, no MODIFIED or
// DELETED for an unknown one), with resourceVersions that never go backwards.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { KubeObject } from '../../src/codec/index.js'
import type { ObjectStore, ObjectWatchOptions } from '../../src/objects/index.js'
import { openObjectStore, pod } from '../support/object-store.js'
import { EventReader, objectOf, showEvent } from '../support/object-watch-reader.js'

type Op = { kind: 'put'; name: string; app: string } | { kind: 'delete'; name: string }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), name: fc.constantFrom('a', 'b', 'c'), app: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('delete' as const), name: fc.constantFrom('a', 'b', 'c') }),
)

const scenarioArb = fc
  .record({
    ops: fc.array(opArb, { maxLength: 25 }),
    split: fc.nat(),
    start: fc.nat(),
    mode: fc.constantFrom('N' as const, '0' as const, 'initial' as const),
    selector: fc.constantFrom(undefined, 'app=x', 'app!=x'),
  })
  .map((s) => {
    const split = s.split % (s.ops.length + 1)
    return { ...s, split, start: s.start % (split + 1) }
  })

let edits = 0
/** Creates the object, or changes its label and image (so the bytes always change). */
async function apply(objects: ObjectStore, prefix: string, op: Op): Promise<void> {
  const key = `${prefix}${op.name}`
  if (op.kind === 'delete') {
    if ((await objects.get(key, { ignoreNotFound: true })) !== undefined) await objects.delete(key)
    return
  }
  const image = `img:${++edits}`
  const labels = { app: op.app }
  await objects.guaranteedUpdate(key, (cur) => (cur === undefined ? pod(op.name, { labels, image }) : { ...cur, metadata: { ...cur.metadata, labels }, spec: { containers: [{ name: 'c', image }] } }), { ignoreNotFound: true })
}

test('property: the state at the start plus the event stream equals the final state', async (t) => {
  // One store for every run (each run has its own prefix); a small ring and small pages, so that
  // starts are served from the log, the ring and live, with hand-overs between them.
  const { objects, store } = await openObjectStore(t, { limits: { watchCacheEventsMax: 8, watchResponseEventsMax: 3 } })
  let run = 0
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ ops, split, start, mode, selector }) => {
      const prefix = `/r${++run}/`
      const revisions = [store.revision]
      for (const op of ops.slice(0, split)) {
        await apply(objects, prefix, op)
        revisions.push(store.revision)
      }
      const rv = String(revisions[start])
      const selection = selector === undefined ? {} : { labelSelector: selector }
      const state = new Map<string, KubeObject>()
      if (mode === 'N') {
        for (const o of (await objects.list(prefix, { resourceVersion: rv, resourceVersionMatch: 'Exact', ...selection })).items) state.set(o.metadata.name, o)
      }
      const options: ObjectWatchOptions = { allowWatchBookmarks: true, ...selection, ...(mode === 'N' ? { resourceVersion: rv } : mode === '0' ? { resourceVersion: '0' } : { sendInitialEvents: true }) }
      const w = new EventReader(objects.watch(prefix, options))
      const seen: string[] = []
      let lastRv = mode === 'N' ? Number(rv) : 0
      // Applies events until a bookmark at `until` or later (initial mode: until the end bookmark).
      // While nothing comes, bookmarks are requested again: a request made before the KV watch
      // opened (the initial state is read on the first next()) reaches no one, as in Kubernetes,
      // whose cacher repeats its progress requests every 100 ms.
      const follow = async (until: number, endBookmark: boolean): Promise<void> => {
        for (let idle = 0; ; ) {
          const e = await w.poll()
          if (e === undefined) {
            assert.ok(++idle < 100, `nothing more came, and no bookmark at ${until}: ${seen.join(', ')}`)
            if (!endBookmark) objects.requestBookmarks()
            continue
          }
          seen.push(showEvent(e))
          const o = objectOf(e)
          const at = Number(o.metadata.resourceVersion)
          if (e.type === 'BOOKMARK') {
            assert.ok(at >= lastRv, `bookmarks never go back: ${seen.join(', ')}`)
            lastRv = at
            const isEnd = o.metadata.annotations !== undefined
            if (isEnd === endBookmark && at >= until) return
            continue
          }
          // Initial ADDED events carry their own (older) RVs; changes come in RV order after the start.
          // With "0" the state is read on the first next(), after every op: all events are initial.
          const initial = endBookmark || mode === '0'
          if (initial) assert.equal(e.type, 'ADDED', seen.join(', '))
          else {
            assert.ok(at > lastRv, `RVs move on: ${seen.join(', ')}`)
            lastRv = at
          }
          const name = o.metadata.name
          if (e.type === 'ADDED') assert.ok(!state.has(name), `ADDED for a known object: ${seen.join(', ')}`)
          else assert.ok(state.has(name), `${e.type} for an unknown object: ${seen.join(', ')}`)
          if (e.type === 'DELETED') state.delete(name)
          else state.set(name, o)
        }
      }
      if (mode === 'initial') await follow(0, true)
      for (const op of ops.slice(split)) await apply(objects, prefix, op)
      objects.requestBookmarks()
      await follow(store.revision, false)
      w.watcher.cancel()
      const expected = (await objects.list(prefix, selection)).items
      assert.deepEqual([...state.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)), expected, seen.join(', '))
    }),
    { numRuns: 60 },
  )
})

// Object watch: event types and resourceVersions, where a watch starts ("" / "0" / "N"), initial
// events and their end bookmark, and the key range it covers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { KubeObject } from '../../src/codec/index.js'
import { initialEventsEndAnnotation, InternalObjectError, type ObjectStore } from '../../src/objects/index.js'
import { InvalidArgumentError } from '../../src/util/index.js'
import { kvOver, objectStoreOver, openObjectStore, pod } from '../support/object-store.js'
import { EventReader, objectOf } from '../support/object-watch-reader.js'

const image = (o: KubeObject): string => ((o['spec'] as { containers: Array<{ image: string }> }).containers[0]?.image ?? '')

async function setImage(objects: ObjectStore, key: string, value: string): Promise<KubeObject> {
  return objects.guaranteedUpdate(key, (p) => ({ ...p, spec: { containers: [{ name: 'c', image: value }] } }))
}

test('"" starts now: ADDED, MODIFIED, DELETED with the objects as stored and the RV of each change', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/old', pod('old')) // 2: before the watch, not sent
  const w = new EventReader(objects.watch('/p/'))
  const created = await objects.create('/p/a', pod('a', { image: 'nginx:1' })) // 3
  const updated = await setImage(objects, '/p/a', 'nginx:2') // 4
  await objects.delete('/p/a') // 5
  const added = await w.next()
  assert.equal(added.type, 'ADDED')
  assert.deepEqual(added.object, created, 'the object as create returned it, resourceVersion = its modRevision')
  const modified = await w.next()
  assert.equal(modified.type, 'MODIFIED')
  assert.deepEqual(modified.object, updated)
  const deleted = await w.next()
  assert.equal(deleted.type, 'DELETED')
  assert.equal(deleted.object.metadata.resourceVersion, '5', 'the deletion\'s revision, as Kubernetes sends it')
  assert.equal(image(deleted.object as KubeObject), 'nginx:2', 'the last state of the object')
  assert.equal(deleted.object.metadata.name, 'a')
  assert.ok(Object.isFrozen(added.object) && Object.isFrozen(added.object.metadata), 'watched objects are frozen (shared)')
  assert.equal(await w.poll(), undefined)
})

test('"N" means after N: the events with RV > N, then live ones', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/a', pod('a')) // 2
  await setImage(objects, '/p/a', 'nginx:2') // 3
  await objects.create('/p/b', pod('b')) // 4
  await objects.delete('/p/a') // 5
  assert.deepEqual(await new EventReader(objects.watch('/p/', { resourceVersion: '2' })).take(3), ['MODIFIED a@3', 'ADDED b@4', 'DELETED a@5'])
  assert.deepEqual(await new EventReader(objects.watch('/p/', { resourceVersion: '1' })).take(4), ['ADDED a@2', 'MODIFIED a@3', 'ADDED b@4', 'DELETED a@5'])
  const atHead = new EventReader(objects.watch('/p/', { resourceVersion: '5' }))
  assert.equal(await atHead.poll(), undefined, 'nothing happened after 5')
  // A future N waits for it (as a plain Kubernetes watch does): nothing at or below N is sent.
  const future = new EventReader(objects.watch('/p/', { resourceVersion: '6' }))
  await objects.create('/p/c', pod('c')) // 6
  await objects.create('/p/d', pod('d')) // 7
  assert.deepEqual(await atHead.take(2), ['ADDED c@6', 'ADDED d@7'])
  assert.deepEqual(await future.take(1), ['ADDED d@7'])
})

test('sendInitialEvents: the current state as ADDED (own RVs, key order), the end bookmark at the read revision, then changes', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/b', pod('b')) // 2
  await objects.create('/p/a', pod('a')) // 3
  await objects.create('/px/z', pod('z')) // 4: outside the prefix "/p/"
  const w = new EventReader(objects.watch('/p', { recursive: true, sendInitialEvents: true, allowWatchBookmarks: true }))
  assert.deepEqual(await w.take(3), ['ADDED a@3', 'ADDED b@2', 'BOOKMARK @4 end'])
  await setImage(objects, '/p/b', 'nginx:9') // 5
  assert.deepEqual(await w.take(1), ['MODIFIED b@5'])
  const quiet = new EventReader(objects.watch('/p/', { sendInitialEvents: true }))
  const events = [await quiet.next(), await quiet.next(), await quiet.next()]
  const bookmark = events[2]
  assert.ok(bookmark?.type === 'BOOKMARK', 'the end bookmark comes without allowWatchBookmarks too')
  assert.deepEqual(bookmark.object, { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '5', annotations: { [initialEventsEndAnnotation]: 'true' } } })
  assert.equal(await quiet.poll(), undefined)
})

test('sendInitialEvents on an empty prefix: only the end bookmark; a state read in several pages is one snapshot', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const empty = new EventReader(objects.watch('/none/', { sendInitialEvents: true }))
  assert.deepEqual(await empty.take(1), [`BOOKMARK @${store.revision} end`])
  for (let i = 0; i < 1_005; i++) await objects.create(`/many/${String(i).padStart(4, '0')}`, pod(`p${i}`))
  const w = new EventReader(objects.watch('/many/', { sendInitialEvents: true }))
  const first = await w.next() // page 1 (1,000 rows) is read at the latest revision...
  assert.equal(objectOf(first).metadata.name, 'p0')
  await objects.delete('/many/1004') // ...and page 2 at the same one, so this delete comes as a change
  const rest = await w.take(1_005)
  assert.equal(rest[1_003], 'ADDED p1004@' + String(store.revision - 1))
  assert.equal(rest[1_004], `BOOKMARK @${store.revision - 1} end`)
  assert.deepEqual(await w.take(1), [`DELETED p1004@${store.revision}`])
})

test('"0" sends the current state (no end bookmark) then changes; sendInitialEvents false with "0" only changes', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/a', pod('a')) // 2
  const w = new EventReader(objects.watch('/p/', { resourceVersion: '0' }))
  const noState = new EventReader(objects.watch('/p/', { resourceVersion: '0', sendInitialEvents: false }))
  assert.deepEqual(await w.take(1), ['ADDED a@2'])
  await objects.delete('/p/a') // 3
  assert.deepEqual(await w.take(1), ['DELETED a@3'])
  assert.deepEqual(await noState.take(1), ['DELETED a@3'])
  assert.equal(await w.poll(), undefined)
})

test('sendInitialEvents with RV N: the state must be at least N (else ERROR 504 and the end)', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/a', pod('a')) // 2
  assert.deepEqual(await new EventReader(objects.watch('/p/', { resourceVersion: '2', sendInitialEvents: true })).take(2), ['ADDED a@2', 'BOOKMARK @2 end'])
  const w = new EventReader(objects.watch('/p/', { resourceVersion: '3', sendInitialEvents: true }))
  const e = await w.next()
  assert.ok(e.type === 'ERROR')
  assert.equal(e.object.code, 504)
  assert.equal(e.object.reason, 'Timeout')
  assert.match(e.object.message, /too large resource version: 3, current: 2/)
  assert.equal(await w.finished(), true)
})

test('a key without recursive watches that one key only, and its initial state is that object', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/a', pod('a')) // 2
  await objects.create('/p/ab', pod('ab')) // 3
  const w = new EventReader(objects.watch('/p/a', { resourceVersion: '0' }))
  assert.deepEqual(await w.take(1), ['ADDED a@2'])
  await setImage(objects, '/p/ab', 'x') // 4
  await setImage(objects, '/p/a', 'x') // 5
  assert.deepEqual(await w.take(1), ['MODIFIED a@5'])
  const absent = new EventReader(objects.watch('/p/c', { sendInitialEvents: true }))
  assert.deepEqual(await absent.take(1), ['BOOKMARK @5 end'])
})

test('objects delivered to several watchers are decoded once and shared', async (t) => {
  const { objects } = await openObjectStore(t)
  const a = new EventReader(objects.watch('/p/'))
  const b = new EventReader(objects.watch('/p/', { labelSelector: 'app' }))
  await objects.create('/p/x', pod('x', { labels: { app: 'web' } }))
  const [ea, eb] = [await a.next(), await b.next()]
  assert.equal(ea.object, eb.object, 'one frozen object for both')
})

test('watch options are checked before anything starts; a kv without watch is refused clearly', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const bad = [{ resourceVersion: 'x' }, { resourceVersion: '-1' }, { labelSelector: 'a b' }, { fieldSelector: 'spec x=1' }, { sendInitialEvents: 'yes' as unknown as boolean }]
  for (const options of bad) assert.throws(() => objects.watch('/p/', options), InvalidArgumentError, JSON.stringify(options))
  assert.throws(() => objects.watch('/p/../x'), InvalidArgumentError)
  const plain = objectStoreOver(kvOver(store, {}))
  assert.throws(() => plain.watch('/p/'), (e: unknown) => e instanceof InternalObjectError && /watch method/.test(e.message))
  assert.throws(() => plain.requestBookmarks(), InternalObjectError)
  assert.equal(store.watcherCount, 0, 'no KV watch was left open')
})

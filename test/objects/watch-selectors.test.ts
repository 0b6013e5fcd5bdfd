// Object watch with selectors (objects entering / leaving the selection) and bookmarks (on
// request, periodic, and the kind they carry).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { KubeObject } from '../../src/codec/index.js'
import type { ObjectStore } from '../../src/objects/index.js'
import { openObjectStore, pod } from '../support/object-store.js'
import { EventReader, objectOf, showEvent } from '../support/object-watch-reader.js'

async function relabel(objects: ObjectStore, key: string, labels: Record<string, string>): Promise<KubeObject> {
  return objects.guaranteedUpdate(key, (p) => ({ ...p, metadata: { ...p.metadata, labels } }))
}

test('label selector: entering is ADDED, inside MODIFIED, leaving DELETED (old state, new RV), outside nothing', async (t) => {
  const { objects } = await openObjectStore(t)
  const w = new EventReader(objects.watch('/p/', { labelSelector: 'app=web' }))
  await objects.create('/p/a', pod('a', { labels: { app: 'db' } })) // 2: outside
  await relabel(objects, '/p/a', { app: 'web' }) // 3: enters
  await relabel(objects, '/p/a', { app: 'web', v: '2' }) // 4: inside
  await relabel(objects, '/p/a', { app: 'db' }) // 5: leaves
  await relabel(objects, '/p/a', { app: 'db', v: '3' }) // 6: outside
  await objects.delete('/p/a') // 7: deleted outside
  await objects.create('/p/b', pod('b', { labels: { app: 'web' } })) // 8: created inside
  await objects.delete('/p/b') // 9: deleted inside
  const events = [await w.next(), await w.next(), await w.next(), await w.next(), await w.next()]
  assert.deepEqual(events.map(showEvent), ['ADDED a@3', 'MODIFIED a@4', 'DELETED a@5', 'ADDED b@8', 'DELETED b@9'])
  // Leaving: Kubernetes sends the object as it last matched, at the revision it stopped matching.
  assert.deepEqual(objectOf(events[2]).metadata.labels, { app: 'web', v: '2' })
  assert.deepEqual(objectOf(events[4]).metadata.labels, { app: 'web' })
  assert.equal(await w.poll(), undefined)
})

test('field selector on metadata.name, and selectors filter the initial state too', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/a', pod('a', { labels: { app: 'web' } })) // 2
  await objects.create('/p/b', pod('b', { labels: { app: 'db' } })) // 3
  await objects.create('/p/c', pod('c', { labels: { app: 'web' } })) // 4
  const byName = new EventReader(objects.watch('/p/', { resourceVersion: '0', fieldSelector: 'metadata.name!=a' }))
  const byLabel = new EventReader(objects.watch('/p/', { sendInitialEvents: true, labelSelector: 'app in (web)' }))
  assert.deepEqual(await byName.take(2), ['ADDED b@3', 'ADDED c@4'])
  assert.deepEqual(await byLabel.take(3), ['ADDED a@2', 'ADDED c@4', 'BOOKMARK @4 end'])
  await relabel(objects, '/p/a', { app: 'db' }) // 5
  await relabel(objects, '/p/b', { app: 'web' }) // 6
  assert.deepEqual(await byName.take(1), ['MODIFIED b@6'])
  assert.deepEqual(await byLabel.take(2), ['DELETED a@5', 'ADDED b@6'])
})

test('bookmarks: on requestBookmarks, only with allowWatchBookmarks, an object of the kind with just the RV', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const w = new EventReader(objects.watch('/p/', { allowWatchBookmarks: true }))
  const without = new EventReader(objects.watch('/p/'))
  objects.requestBookmarks()
  const first = await w.next()
  assert.ok(first.type === 'BOOKMARK')
  assert.deepEqual(first.object, { apiVersion: '', kind: '', metadata: { resourceVersion: '1' } }, 'no object seen yet: no kind to name')
  await objects.create('/p/a', pod('a')) // 2
  await store.put('/elsewhere', 'x') // 3: not watched, but bookmarks move past it
  assert.deepEqual(await w.take(1), ['ADDED a@2'])
  objects.requestBookmarks()
  const bookmark = await w.next()
  assert.deepEqual(bookmark.object, { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '3' } })
  assert.ok(Object.isFrozen(bookmark.object))
  assert.deepEqual(await without.take(1), ['ADDED a@2'])
  assert.equal(await without.poll(), undefined, 'no bookmarks without allowWatchBookmarks')
})

test('bookmarks: an idle watcher gets one every watchProgressNotifyIntervalMs; never ahead of undelivered events', async (t) => {
  const { objects, clock } = await openObjectStore(t, { watchProgressNotifyIntervalMs: 1_000 })
  const idle = new EventReader(objects.watch('/p/', { allowWatchBookmarks: true }))
  const behind = new EventReader(objects.watch('/q/', { allowWatchBookmarks: true }))
  await objects.create('/q/a', pod('a')) // 2
  clock.advance(1_000)
  assert.deepEqual(await idle.take(1), ['BOOKMARK @2'])
  objects.requestBookmarks()
  // `behind` has not read its event yet: the event comes first, and no bookmark claims 2 before it.
  assert.deepEqual(await behind.take(1), ['ADDED a@2'])
  assert.deepEqual(await idle.take(1), ['BOOKMARK @2'])
})

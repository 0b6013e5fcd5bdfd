// list: prefixes, resourceVersion semantics, pagination with continue tokens pinned to one
// revision, 410 with an inconsistent-continue token after compaction, selectors with paging.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { KubeObject } from '../../src/codec/index.js'
import { ExpiredError, TooLargeResourceVersionError, httpStatusOf, toStatus, type ListOptions, type ListResult, type ObjectStore } from '../../src/objects/index.js'
import { BadRequestError, InvalidArgumentError } from '../../src/util/index.js'
import { kvOver, objectStoreOver, openObjectStore, pod } from '../support/object-store.js'

const names = (r: ListResult): string[] => r.items.map((o) => o.metadata.name)

/** Every page of a list, following continue tokens. */
async function listAll(objects: ObjectStore, prefix: string, options: ListOptions): Promise<{ items: KubeObject[]; pages: ListResult[] }> {
  const pages: ListResult[] = []
  let token: string | undefined
  do {
    const page = await objects.list(prefix, { ...options, ...(token === undefined ? {} : { continue: token }) })
    pages.push(page)
    token = page.continue
  } while (token !== undefined)
  return { items: pages.flatMap((p) => p.items), pages }
}

test('a list reads keys under prefix + "/", in key order, at the store revision', async (t) => {
  const { objects, store } = await openObjectStore(t)
  for (const n of ['b', 'a', 'c']) await objects.create(`/registry/pods/ns/${n}`, pod(n))
  await objects.create('/registry/podsx/ns/z', pod('z'))
  await objects.create('/registry/other', pod('o'))
  const r = await objects.list('/registry/pods')
  assert.deepEqual(names(r), ['a', 'b', 'c'])
  assert.equal(r.resourceVersion, String(store.revision), 'the store revision, higher than any item')
  assert.equal(r.continue, undefined)
  assert.equal(r.remainingItemCount, undefined)
  assert.deepEqual(names(await objects.list('/registry/pods/')), ['a', 'b', 'c'])
  assert.deepEqual(r.items[0], await objects.get('/registry/pods/ns/a'))
  assert.deepEqual((await objects.list('/nothing')).items, [])
})

test('list resourceVersion: "" and "0" latest, N not older than N, Exact N (or N with a limit) as of N', async (t) => {
  const { objects, store, clock } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  const rvAfterA = String(store.revision)
  await objects.create('/p/b', pod('b'))
  const latest = String(store.revision)
  for (const resourceVersion of ['', '0', rvAfterA]) {
    const r = await objects.list('/p', { resourceVersion })
    assert.deepEqual(names(r), ['a', 'b'], resourceVersion)
    assert.equal(r.resourceVersion, latest)
  }
  assert.deepEqual(names(await objects.list('/p', { resourceVersion: rvAfterA, resourceVersionMatch: 'NotOlderThan' })), ['a', 'b'])
  const exact = await objects.list('/p', { resourceVersion: rvAfterA, resourceVersionMatch: 'Exact' })
  assert.deepEqual(names(exact), ['a'])
  assert.equal(exact.resourceVersion, rvAfterA)
  const legacy = await objects.list('/p', { resourceVersion: rvAfterA, limit: 10 })
  assert.deepEqual(names(legacy), ['a'])
  assert.equal(legacy.resourceVersion, rvAfterA)
  const future = String(store.revision + 5)
  for (const options of [{ resourceVersion: future }, { resourceVersion: future, resourceVersionMatch: 'Exact' as const }, { resourceVersion: future, resourceVersionMatch: 'NotOlderThan' as const }]) {
    const listed = objects.list('/p', options)
    // Not older than N is served by the watch cache, which waits up to 3 s for N (list-cache.test.ts).
    clock.advance(3_000)
    await assert.rejects(listed, (e: unknown) => e instanceof TooLargeResourceVersionError && e.httpStatus === 504, JSON.stringify(options))
  }
})

test('invalid list options are Invalid (422); a bad continue token or an RV with one is BadRequest (400)', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  await objects.create('/p/b', pod('b'))
  const token = (await objects.list('/p', { limit: 1 })).continue
  assert.ok(token !== undefined)
  const invalid: ListOptions[] = [
    { resourceVersionMatch: 'Exact' },
    { resourceVersion: '0', resourceVersionMatch: 'Exact' },
    { resourceVersion: '1', resourceVersionMatch: 'Newest' as 'Exact' },
    { resourceVersion: '0', resourceVersionMatch: 'NotOlderThan', continue: token },
    { limit: -1 },
    { limit: 1.5 },
    { resourceVersion: 'abc' },
    { labelSelector: 'a in ()' },
    { fieldSelector: 'spec..nodeName=x' },
  ]
  for (const options of invalid) await assert.rejects(objects.list('/p', options), (e: unknown) => e instanceof InvalidArgumentError && e.code === 'Invalid', JSON.stringify(options))
  const badRequest: ListOptions[] = [
    { resourceVersion: '2', continue: token },
    { continue: 'not a token!' },
    { continue: Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString('base64url') },
    { continue: Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":"../x"}').toString('base64url') },
    { continue: Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":""}').toString('base64url') },
    { continue: Buffer.from('{"v":"v2","rv":3,"start":"a"}').toString('base64url') },
    { continue: Buffer.from('[1]').toString('base64url') },
  ]
  for (const options of badRequest) {
    await assert.rejects(objects.list('/p', options), (e: unknown) => e instanceof BadRequestError && e.code === 'BadRequest' && httpStatusOf(e) === 400, JSON.stringify(options))
  }
})

test('pages: limit, continue tokens and remainingItemCount; later pages read at the first page revision', async (t) => {
  const { objects, store } = await openObjectStore(t)
  for (const n of ['a', 'b', 'c', 'd', 'e']) await objects.create(`/p/${n}`, pod(n))
  const first = await objects.list('/p', { limit: 2 })
  assert.deepEqual(names(first), ['a', 'b'])
  assert.equal(first.remainingItemCount, 3)
  assert.ok(first.continue !== undefined)
  const token = JSON.parse(Buffer.from(first.continue, 'base64url').toString()) as unknown
  assert.deepEqual(token, { v: 'meta.k8s.io/v1', rv: Number(first.resourceVersion), start: 'b\u0000' })
  // Changes after the first page do not show in the next ones: the list is one snapshot.
  await objects.delete('/p/c')
  await objects.create('/p/bb', pod('bb'))
  const second = await objects.list('/p', { limit: 2, continue: first.continue })
  assert.deepEqual(names(second), ['c', 'd'])
  assert.equal(second.resourceVersion, first.resourceVersion)
  assert.equal(second.remainingItemCount, 1)
  const third = await objects.list('/p', { limit: 2, continue: second.continue })
  assert.deepEqual(names(third), ['e'])
  assert.equal(third.continue, undefined)
  assert.equal(third.remainingItemCount, undefined)
  // An exact page ending at the last key gives no token.
  assert.equal((await objects.list('/p', { limit: 5 })).continue, undefined)
  assert.ok(Number(first.resourceVersion) < store.revision)
})

test('property: paging over random data, with or without selectors, equals the full list', async (t) => {
  const { objects } = await openObjectStore(t)
  let run = 0
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,6}[a-z0-9])?$/), app: fc.constantFrom('web', 'db', undefined) }), { selector: (p) => p.name, maxLength: 30 }),
      fc.integer({ min: 1, max: 7 }),
      fc.constantFrom('', 'app=web', 'app!=web', '!app', 'app in (web,db)'),
      async (specs, limit, labelSelector) => {
        run += 1
        const prefix = `/prop/${run}`
        for (const s of specs) await objects.create(`${prefix}/${s.name}`, pod(s.name, s.app === undefined ? {} : { labels: { app: s.app } }))
        // Noise right outside the prefix must never appear.
        await objects.create(`/prop/${run}x/${run}`, pod('noise'))
        const full = await objects.list(prefix, { labelSelector })
        const paged = await listAll(objects, prefix, { limit, labelSelector })
        assert.deepEqual(paged.items, full.items)
        for (const page of paged.pages) {
          assert.ok(page.items.length <= limit)
          assert.equal(page.resourceVersion, paged.pages[0]?.resourceVersion)
          if (labelSelector !== '') assert.equal(page.remainingItemCount, undefined)
        }
        for (const page of paged.pages.slice(0, -1)) {
          if (labelSelector === '') assert.equal(page.items.length, limit, 'without selectors every page but the last is full')
        }
      },
    ),
    { numRuns: 40 },
  )
})

test('continue after compaction: 410 Expired with an inconsistent-continue token that reads the rest at the latest revision', async (t) => {
  const { objects, store } = await openObjectStore(t)
  for (const n of ['a', 'b', 'c', 'd']) await objects.create(`/p/${n}`, pod(n))
  const first = await objects.list('/p', { limit: 2 })
  assert.ok(first.continue !== undefined)
  await objects.delete('/p/d')
  await objects.create('/p/e', pod('e'))
  await store.compact(store.revision)
  let inconsistent: string | undefined
  await assert.rejects(objects.list('/p', { limit: 2, continue: first.continue }), (e: unknown) => {
    assert.ok(e instanceof ExpiredError)
    assert.equal(e.httpStatus, 410)
    assert.match(e.message, /continue parameter is too old/)
    const status = toStatus(e)
    assert.equal(status.code, 410)
    assert.equal(status.reason, 'Expired')
    assert.equal(status.metadata.continue, e.continue)
    inconsistent = e.continue
    return true
  })
  assert.ok(inconsistent !== undefined)
  const token = JSON.parse(Buffer.from(inconsistent, 'base64url').toString()) as { rv: number; start: string }
  assert.equal(token.rv, -1)
  assert.equal(token.start, 'b\u0000')
  const rest = await objects.list('/p', { limit: 2, continue: inconsistent })
  assert.deepEqual(names(rest), ['c', 'e'], 'read at the latest revision: d is gone, e is there')
  assert.equal(rest.resourceVersion, String(store.revision))
  // A plain exact list at a compacted revision is a 410 without a token.
  await assert.rejects(objects.list('/p', { resourceVersion: first.resourceVersion, resourceVersionMatch: 'Exact' }), (e: unknown) => e instanceof ExpiredError && e.continue === undefined)
})

test('selectors with a limit keep reading growing pages until limit items match', async (t) => {
  const { objects, store } = await openObjectStore(t)
  // 40 pods; only every 10th is labelled app=rare.
  for (let i = 0; i < 40; i++) {
    const name = `p${String(i).padStart(2, '0')}`
    await objects.create(`/p/ns${i % 2}/${name}`, pod(name, { namespace: `ns${i % 2}`, labels: { app: i % 10 === 0 ? 'rare' : 'common' } }))
  }
  const limits: number[] = []
  const counting = objectStoreOver(
    kvOver(store, {
      range: (r) => {
        limits.push(r.limit ?? 0)
        return store.range(r)
      },
    }),
  )
  const page = await counting.list('/p', { limit: 2, labelSelector: 'app=rare' })
  // Keys sort ns0 first: p00, p02, ... p10 is the 6th key, found in the second round.
  assert.deepEqual(names(page), ['p00', 'p10'])
  assert.deepEqual(limits, [2, 4], 'each round doubles the page')
  assert.equal(page.remainingItemCount, undefined)
  assert.ok(page.continue !== undefined)
  limits.length = 0
  const rest = await counting.list('/p', { limit: 2, labelSelector: 'app=rare', continue: page.continue })
  assert.deepEqual(names(rest), ['p20', 'p30'])
  assert.deepEqual(limits, [2, 4, 8])
  // The bucket filled before the range ended, so there is a token even though nothing else matches (as Kubernetes).
  assert.ok(rest.continue !== undefined)
  const last = await counting.list('/p', { limit: 2, labelSelector: 'app=rare', continue: rest.continue })
  assert.deepEqual(last.items, [])
  assert.equal(last.continue, undefined)
  // Field selectors: namespace and name.
  assert.equal((await objects.list('/p', { fieldSelector: 'metadata.namespace=ns1' })).items.length, 20)
  assert.deepEqual(names(await objects.list('/p', { fieldSelector: 'metadata.name==p07' })), ['p07'])
  assert.equal((await objects.list('/p', { fieldSelector: 'metadata.namespace!=ns1,metadata.name!=p00' })).items.length, 19)
  assert.deepEqual(names(await objects.list('/p', { labelSelector: 'app=rare', fieldSelector: 'metadata.namespace=ns0', limit: 1 })), ['p00'])
})

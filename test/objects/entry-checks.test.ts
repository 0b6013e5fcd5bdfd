// The object API refuses bad arguments with a typed InvalidArgumentError before anything is read or
// written (issue 16): null options, ill-typed preconditions, bigint or Symbol resourceVersions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../../src/index.js'
import { openObjectStore, pod } from '../support/object-store.js'

const bad = <T>(v: unknown): T => v as T

test('objects: null and ill-typed arguments are typed refusals that change nothing', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/pods/a', pod('a'))
  const revision = store.revision
  const keep = (o: unknown): unknown => o
  const calls: Array<[string, () => unknown]> = [
    ['create null options', () => objects.create('/pods/b', pod('b'), bad(null))],
    ['create ttl string', () => objects.create('/pods/b', pod('b'), bad({ ttlSeconds: '5' }))],
    ['get null options', () => objects.get('/pods/a', bad(null))],
    ['get bigint rv', () => objects.get('/pods/a', bad({ resourceVersion: 5n }))],
    ['get symbol rv', () => objects.get('/pods/a', bad({ resourceVersion: Symbol('rv') }))],
    ['list null options', () => objects.list('/pods', bad(null))],
    ['list limit NaN', () => objects.list('/pods', bad({ limit: Number.NaN }))],
    ['update null options', () => objects.guaranteedUpdate('/pods/a', keep as never, bad(null))],
    ['update preconditions null', () => objects.guaranteedUpdate('/pods/a', keep as never, bad({ preconditions: null }))],
    ['update uid bigint', () => objects.guaranteedUpdate('/pods/a', keep as never, bad({ preconditions: { uid: 1n } }))],
    ['update tryUpdate number', () => objects.guaranteedUpdate('/pods/a', bad(5))],
    ['delete null options', () => objects.delete('/pods/a', bad(null))],
    ['delete rv symbol', () => objects.delete('/pods/a', bad({ preconditions: { resourceVersion: Symbol('x') } }))],
    ['watch null options', () => objects.watch('/pods', bad(null))],
    ['watch signal {}', () => objects.watch('/pods', bad({ signal: {} }))],
  ]
  for (const [name, call] of calls) {
    await assert.rejects(
      (async () => call())(),
      (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError, `${name}: ${String(err)}`)
        assert.equal(err.code, 'Invalid')
        return true
      },
    )
  }
  assert.equal(store.revision, revision, 'no refused call wrote anything')
  assert.equal((await objects.get('/pods/a')).metadata.name, 'a')
})

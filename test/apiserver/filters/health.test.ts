// Health checks fail when the store is unusable: a closed store turns /readyz, /livez and
// /healthz into 500 with the failing check named, and a failing check's reason goes to the log.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HealthChecks, parseRequestInfo } from '../../../src/apiserver/index.js'
import { startTestServer } from '../../support/api-server.js'

test('a closed store fails the etcd check: 500 with [-]etcd, other checks still listed', async () => {
  const logLines: string[] = []
  const s = await startTestServer({ log: (l) => logLines.push(l) })
  try {
    assert.equal((await s.call('GET', '/readyz', { as: null })).status, 200)
    await s.serving.store.close()
    for (const path of ['/readyz', '/livez', '/healthz']) {
      const r = await s.call('GET', path, { as: null })
      assert.equal(r.status, 500, path)
      assert.match(r.text, /^\[\+\]ping ok\n\[-\]etcd failed: reason withheld\n/, path)
      assert.match(r.text, new RegExp(`${path.slice(1)} check failed\\n$`))
    }
    assert.equal((await s.call('GET', '/readyz?exclude=etcd', { as: null })).status, 200)
    const one = await s.call('GET', '/readyz/etcd')
    assert.equal(one.status, 500)
    assert.ok(logLines.some((l) => l.startsWith('apiserver: readyz check etcd failed: ')), logLines.join('\n'))
  } finally {
    await s.close()
  }
})

test('checks run in order, only for their endpoints, and a throwing check fails alone', async () => {
  const h = new HealthChecks(() => undefined)
    .add('a', () => undefined)
    .add('b', () => {
      throw new Error('down')
    }, ['readyz'])
    .add('c', async () => undefined)
  assert.deepEqual(await h.run('readyz'), [
    { name: 'a', ok: true },
    { name: 'b', ok: false },
    { name: 'c', ok: true },
  ])
  assert.deepEqual(await h.run('livez'), [
    { name: 'a', ok: true },
    { name: 'c', ok: true },
  ])
  assert.deepEqual(await h.run('readyz', new Set(['b'])), [
    { name: 'a', ok: true },
    { name: 'c', ok: true },
  ])
  assert.equal(await h.handler()({} as never, {} as never, parseRequestInfo('GET', '/metrics')), false)
})

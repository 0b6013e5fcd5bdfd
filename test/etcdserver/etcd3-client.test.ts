// The etcd3 npm client (1.1.2) against the front, with its common patterns: namespaces, leases
// with keep-alive, watchers, locks, elections, software transactional memory.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import etcd3 from 'etcd3'

const { Etcd3 } = etcd3
import { startTestFront } from '../support/etcd-front.js'

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('etcd3: namespaces, get/put/delete, if-then-else, leases with keep-alive', async (t) => {
  const f = await startTestFront(t)
  const client = new Etcd3({ hosts: f.url })
  t.after(() => client.close())
  const ns = client.namespace('app/')
  await ns.put('a').value('1')
  await ns.put('b').value('2')
  assert.equal(await ns.get('a').string(), '1')
  assert.deepEqual(await ns.getAll().keys(), ['a', 'b'])
  assert.equal(await ns.getAll().count(), 2)
  assert.equal(String((await f.store.get('app/a'))?.value), '1')
  const cas = await ns.if('a', 'Value', '==', '1').then(ns.put('a').value('x')).else(ns.get('a')).commit()
  assert.equal(cas.succeeded, true)
  await ns.delete().key('b')
  assert.equal(await ns.get('b').string(), null)
  const lease = client.lease(3)
  await lease.put('leased').value('v')
  const id = await lease.grant()
  assert.ok(BigInt(id) > 0n)
  let keptAlive = 0
  lease.on('keepaliveSucceeded', () => keptAlive++)
  await until(() => keptAlive >= 2, 'two keep-alives', 15_000)
  assert.ok((await f.store.get('leased')) !== undefined)
  await lease.revoke()
  assert.equal(await client.get('leased').string(), null)
})

test('etcd3: watchers see puts and deletes with previous values', async (t) => {
  const f = await startTestFront(t)
  const client = new Etcd3({ hosts: f.url })
  t.after(() => client.close())
  const w = await client.watch().prefix('w/').withPreviousKV().create()
  const seen: string[] = []
  w.on('put', (kv, prev) => seen.push(`put ${kv.key.toString()}=${kv.value.toString()} prev ${prev?.value.toString() ?? '-'}`))
  w.on('delete', (kv) => seen.push(`delete ${kv.key.toString()}`))
  await client.put('w/1').value('a')
  await client.put('w/1').value('b')
  await client.delete().key('w/1')
  await until(() => seen.length === 3, 'three events')
  assert.deepEqual(seen, ['put w/1=a prev -', 'put w/1=b prev a', 'delete w/1'])
  await w.cancel()
})

test('etcd3: locks exclude each other; elections hand over; STM transactions stay serializable', async (t) => {
  const f = await startTestFront(t)
  const client = new Etcd3({ hosts: f.url })
  t.after(() => client.close())
  let inside = 0
  let maxInside = 0
  await Promise.all(
    [1, 2, 3].map((i) =>
      client.lock('the-lock').do(async () => {
        inside++
        maxInside = Math.max(maxInside, inside)
        await new Promise((r) => setTimeout(r, 20 * i))
        inside--
      }).catch(async () => {
        // etcd3's lock does not wait: a contender that loses the txn retries until it gets it.
        for (;;) {
          try {
            await client.lock('the-lock').do(async () => {
              inside++
              maxInside = Math.max(maxInside, inside)
              inside--
            })
            return
          } catch {
            await new Promise((r) => setTimeout(r, 20))
          }
        }
      }),
    ),
  )
  assert.equal(maxInside, 1)
  const election = client.election('e')
  const first = election.campaign('one')
  await new Promise<void>((resolve, reject) => {
    first.once('elected', () => resolve())
    first.once('error', reject)
  })
  const second = election.campaign('two')
  const observer = await election.observe()
  assert.equal(observer.leader(), 'one')
  await first.resign()
  await new Promise<void>((resolve) => second.once('elected', () => resolve()))
  await until(() => observer.leader() === 'two', 'the observer to follow')
  await second.resign()
  await observer.cancel()
  await client.put('acct/a').value('100')
  await client.put('acct/b').value('0')
  await Promise.all(
    Array.from({ length: 8 }, () =>
      // RepeatableReads (2): etcd3 1.1.2's SerializableSnapshot check compares every written key's
      // mod_revision with the earliest one read, so two keys last written at different revisions
      // conflict forever, against etcd too.
      client.stm({ retries: 50, isolation: 2 }).transact(async (tx) => {
        const a = Number(await tx.get('acct/a').string())
        const b = Number(await tx.get('acct/b').string())
        await tx.put('acct/a').value(String(a - 10))
        await tx.put('acct/b').value(String(b + 10))
      }),
    ),
  )
  assert.equal(await client.get('acct/a').string(), '20')
  assert.equal(await client.get('acct/b').string(), '80')
})

// Fault loops (STYLE: FaultyLog): the Nth mutating call into the log fails, for N = 1, 2, ...
// until the operation completes without meeting the fault. After every failure the caller has a
// typed error, nothing of the operation is visible, the store still passes check(), and the same
// store carries on; at the end a reopen finds exactly the completed state.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { FakeClock, LogError, defaultLimits, type Log, type RangeResponse } from '../../src/index.js'
import { SqliteLog } from '../../src/log/index.js'
import { KvStore } from '../../src/mvcc/index.js'
import { tempDir } from '../support/temp-store.js'

const MUTATORS = new Set(['append', 'setLive', 'deleteLive', 'putLease', 'deleteLease', 'setRevision', 'setCompaction', 'setCompacted', 'compactStep'])

/** Wraps a log so that the Nth mutating call (counted from arm()) throws an I/O error. */
function faultyLog(real: SqliteLog): { log: Log; arm(n: number): void; disarm(): void; hit(): boolean } {
  let countdown = 0
  let fired = false
  const log = new Proxy(real, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (typeof prop !== 'string' || !MUTATORS.has(prop) || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value
      }
      return (...args: unknown[]) => {
        if (countdown > 0 && --countdown === 0) {
          fired = true
          throw new LogError(`log: injected I/O error in ${prop}`, 'SQLITE_IOERR')
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  }) as unknown as Log
  return {
    log,
    arm: (n) => {
      countdown = n
      fired = false
    },
    disarm: () => {
      countdown = 0
    },
    hit: () => fired,
  }
}

function open(path: string, clock: FakeClock) {
  const real = new SqliteLog({ path, durability: 'relaxed', busyTimeoutMs: 1000, cacheKiB: 1024, quotaBytes: 0 })
  const faulty = faultyLog(real)
  const store = new KvStore({
    log: faulty.log,
    clock,
    limits: defaultLimits,
    durability: 'relaxed',
    version: 'test',
    leasePollMs: 60_000,
    remotePollMs: 25,
  })
  return { store, faulty }
}

const everything = { key: '\0', rangeEnd: '\0' }
const snapshot = (r: RangeResponse) => ({ revision: r.revision, kvs: r.kvs.map((kv) => ({ ...kv, key: Buffer.from(kv.key).toString(), value: Buffer.from(kv.value).toString() })) })

async function faultLoop(name: string, setup: (s: KvStore) => Promise<void>, operation: (s: KvStore) => Promise<unknown>) {
  const dir = tempDir()
  const clock = new FakeClock()
  try {
    const path = join(dir.path, 'faulty.db')
    let { store, faulty } = open(path, clock)
    await setup(store)
    let failures = 0
    for (let n = 1; ; n++) {
      const before = snapshot(await store.range(everything))
      faulty.arm(n)
      const outcome = await operation(store).then(
        () => 'ok' as const,
        (err: unknown) => err,
      )
      faulty.disarm()
      if (outcome === 'ok') {
        assert.equal(faulty.hit(), false, `${name}: completed although fault ${n} fired`)
        break
      }
      failures++
      assert.ok(outcome instanceof LogError, `${name}: fault ${n} gives LogError, got ${String(outcome)}`)
      assert.deepEqual(snapshot(await store.range(everything)), before, `${name}: fault ${n} left a trace`)
      assert.deepEqual((await store.check()).problems, [])
      assert.ok(n < 200, `${name}: the operation never completed`)
    }
    assert.ok(failures > 0, `${name}: the loop injected at least one fault`)
    const after = snapshot(await store.range(everything))
    await store.close()
    ;({ store } = open(path, clock))
    assert.deepEqual(snapshot(await store.range(everything)), after, `${name}: a reopen finds the completed state`)
    assert.deepEqual((await store.check()).problems, [])
    await store.close()
    return failures
  } finally {
    dir.remove()
  }
}

test('fault loop: a txn that puts, overwrites and deletes', async () => {
  const failures = await faultLoop(
    'txn',
    async (s) => {
      await s.put('a', '1')
      await s.put('b', '1')
    },
    (s) =>
      s.txn({
        compare: [{ key: 'a', target: 'VERSION', result: 'EQUAL', value: 1 }],
        success: [{ put: { key: 'a', value: '2' } }, { put: { key: 'c', value: '3' } }, { deleteRange: { key: 'b' } }],
      }),
  )
  assert.ok(failures >= 7, `every mutating step was failed once (${failures})`)
})

test('fault loop: a lease revoke deleting several keys', async () => {
  let lease = 0
  await faultLoop(
    'revoke',
    async (s) => {
      lease = (await s.leaseGrant(60)).id
      for (const k of ['x', 'y', 'z']) await s.put(k, 'v', { lease })
    },
    (s) => s.leaseRevoke(lease),
  )
})

test('fault loop: compaction scheduling and physical removal', async () => {
  await faultLoop(
    'compact',
    async (s) => {
      for (let i = 0; i < 20; i++) await s.put(`k${i % 4}`, `${i}`)
    },
    // A fault after the compaction point was committed fails the caller, but the point stays (a
    // second compact(15) would be ErrCompacted): the retry then waits for the removal to finish.
    async (s) => (s.compactRevision < 15 ? s.compact(15, { physical: true }) : s.compactionDone()),
  )
})

// The search on simulated histories (linearizable by construction, checked against an
// independent reference store): large ones check in seconds, with unknown outcomes too, and a
// single corrupted response is found.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkHistory, type History, KvModel, RevisionSpace, searchLinearization } from '../../src/verify/index.js'
import { simulate } from '../support/history-simulator.js'

const KEYS = ['a', 'b', 'c', 'd']
const seed = Number(process.env['ETCHLOG_LIN_SEED'] ?? 4242)

test('5,000 simulated ops by 8 clients check linearizable, partitioned per key', () => {
  const history = simulate({ seed, clients: 8, opsPerClient: 625, keys: KEYS, unknownRate: 0 })
  for (const partition of ['auto', 'key', 'none'] as const) {
    const r = checkHistory(history, { partition })
    assert.equal(r.verdict, 'linearizable', `seed ${seed} partition=${partition}: ${r.violation?.message ?? ''}`)
    assert.equal(r.partitions, partition === 'none' ? 1 : KEYS.length)
  }
})

test('5,000 simulated ops by 8 clients, 5% with an unknown outcome, check linearizable', () => {
  const history = simulate({ seed, clients: 8, opsPerClient: 625, keys: KEYS, unknownRate: 0.05 })
  // 'auto' picks the whole-history search here; 'key' is exercised on a smaller share below.
  for (const partition of ['auto', 'none'] as const) {
    const r = checkHistory(history, { partition })
    assert.equal(r.verdict, 'linearizable', `seed ${seed} partition=${partition}: ${r.violation?.message ?? ''}`)
    assert.equal(r.partitions, 1)
  }
  const few = simulate({ seed, clients: 8, opsPerClient: 200, keys: KEYS, unknownRate: 0.02 })
  assert.equal(checkHistory(few, { partition: 'key' }).verdict, 'linearizable', 'partitioned, 2% unknown')
})

/** A copy with read i's value replaced by one that no put wrote. */
function corruptRead(history: History, i: number): History {
  const operations = history.operations.map((op, j) => {
    if (j !== i || op.outcome.status !== 'ok' || op.outcome.response.type !== 'get' || op.outcome.response.kv === null) return op
    return { ...op, outcome: { status: 'ok' as const, response: { ...op.outcome.response, kv: { ...op.outcome.response.kv, value: 'corrupt' } } } }
  })
  return { ...history, operations }
}

test('one corrupted read among thousands is found, and is the op that gets stuck', () => {
  const history = simulate({ seed: seed + 1, clients: 6, opsPerClient: 400, keys: KEYS, unknownRate: 0.02 })
  const reads = history.operations.flatMap((op, i) => (op.outcome.status === 'ok' && op.outcome.response.type === 'get' && op.outcome.response.kv !== null ? [i] : []))
  for (const i of [reads[5], reads[Math.floor(reads.length / 2)], reads.at(-1)]) {
    assert.ok(i !== undefined, 'the simulation has reads of live keys')
    for (const partition of ['key', 'none'] as const) {
      const r = checkHistory(corruptRead(history, i), { partition })
      assert.equal(r.verdict, 'violation', `read ${i}, partition=${partition}`)
      assert.ok(r.violation?.ops.includes(i), 'the corrupted read is in the failing part')
    }
  }
})

test('a search past its deadline says timeout, not a verdict', () => {
  const history = simulate({ seed, clients: 8, opsPerClient: 1000, keys: KEYS, unknownRate: 0.05 })
  const model = new KvModel('exact', 1, KEYS, new RevisionSpace(history))
  assert.equal(searchLinearization(history.operations, model, performance.now() - 1).verdict, 'timeout')
})

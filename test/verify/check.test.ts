// Known-good and known-bad hand-written histories: each verdict must hold in both the
// partitioned and the whole-history search. Times are small integers on one shared clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkHistory, type CheckResult, type History } from '../../src/verify/index.js'
import { HistoryBuilder, kvResult } from '../support/history-builder.js'

const MODES = ['key', 'none'] as const

function verdicts(history: History): CheckResult[] {
  return MODES.map((partition) => checkHistory(history, { partition }))
}

function assertLinearizable(history: History): void {
  for (const [i, r] of verdicts(history).entries()) {
    assert.equal(r.verdict, 'linearizable', `partition=${MODES[i]}: ${r.violation?.message ?? ''}`)
  }
}

/** Both searches reject it; returns the partitioned result. */
function assertViolation(history: History, kind: string): CheckResult {
  const results = verdicts(history)
  for (const [i, r] of results.entries()) {
    assert.equal(r.verdict, 'violation', `partition=${MODES[i]} must reject`)
    assert.equal(r.violation?.kind, kind, `partition=${MODES[i]}: ${r.violation?.message ?? ''}`)
  }
  const first = results[0]
  assert.ok(first !== undefined, 'a result per mode')
  return first
}

test('good: a sequential put, get, delete, get', () => {
  const h = new HistoryBuilder()
    .put('c1', 0, 1, 'a', 'x', 2)
    .get('c1', 2, 3, 'a', ['x', 2, 2, 1], 2)
    .del('c1', 4, 5, 'a', 1, 3)
    .get('c1', 6, 7, 'a', null, 3)
    .del('c1', 8, 9, 'a', 0, 3)
  assertLinearizable(h.build())
})

test('good: concurrent puts; overlapping reads see either order, later reads the last', () => {
  const h = new HistoryBuilder()
    .put('c1', 0, 10, 'a', 'x', 3)
    .put('c2', 1, 9, 'a', 'y', 2)
    .get('c3', 2, 8, 'a', ['y', 2, 2, 1], 2)
    .get('c3', 11, 12, 'a', ['x', 3, 2, 2], 3)
  assertLinearizable(h.build())
})

test('good: a k8s CAS loop, the loser reads the winner', () => {
  const h = new HistoryBuilder()
    .put('c1', 0, 1, 'a', 'v0', 2)
    .cas('c1', 2, 6, 'a', 2, 'v1', { succeeded: true, revision: 3 })
    .cas('c2', 3, 7, 'a', 2, 'v2', { succeeded: false, revision: 3, kv: ['v1', 3, 2, 2] })
    .cas('c2', 8, 9, 'a', 3, 'v2', { succeeded: true, revision: 4 })
  assertLinearizable(h.build())
})

test('good: txns on two keys, compares on VERSION and VALUE, reads after writes in a txn', () => {
  const h = new HistoryBuilder()
    .put('c1', 0, 1, 'a', 'x', 2)
    .txn('c2', 2, 3, [{ key: 'a', target: 'VALUE', result: 'EQUAL', value: 'x' }, { key: 'b', target: 'VERSION', result: 'EQUAL', value: 0 }],
      [{ type: 'put', key: 'b', value: 'y' }, { type: 'get', key: 'b' }, { type: 'delete', key: 'a' }], [],
      true, [{ type: 'put' }, kvResult(['y', 3, 3, 1]), { type: 'delete', deleted: 1 }], 3)
    .txn('c1', 4, 5, [{ key: 'a', target: 'VALUE', result: 'EQUAL', value: '' }], [], [{ type: 'get', key: 'b' }], false, [kvResult(['y', 3, 3, 1])], 3)
  assertLinearizable(h.build())
})

test('good: an unknown put that took effect, seen at a revision no ack names', () => {
  const h = new HistoryBuilder()
    .put('c1', 0, 1, 'a', 'x', 2)
    .unknownPut('c2', 2, 3, 'a', 'y')
    .get('c1', 10, 11, 'a', ['y', 3, 2, 2], 3)
    .put('c1', 12, 13, 'b', 'z', 4)
  assertLinearizable(h.build())
})

test('good: an unknown put that never took effect', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).unknownPut('c2', 2, 3, 'a', 'y').get('c1', 10, 11, 'a', ['x', 2, 2, 1], 2)
  assertLinearizable(h.build())
})

test('good: an unknown txn whose compare depends on an unknown put', () => {
  const h = new HistoryBuilder()
    .unknownPut('c1', 0, 1, 'a', 'x')
    .add({ client: 'c2', call: 2, return: 3, request: { type: 'txn', compare: [{ key: 'a', target: 'MOD', result: 'EQUAL', value: 2 }], success: [{ type: 'put', key: 'b', value: 'y' }], failure: [] }, outcome: { status: 'unknown', error: 'timeout' } })
    .get('c1', 4, 5, 'b', ['y', 3, 3, 1], 3)
    .get('c1', 6, 7, 'a', ['x', 2, 2, 1], 3)
  assertLinearizable(h.build())
})

test('bad: stale read (a completed put is not seen, under a current revision)', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).put('c1', 2, 3, 'a', 'y', 3).get('c2', 4, 5, 'a', ['x', 2, 2, 1], 3)
  const r = assertViolation(h.build(), 'not-linearizable')
  assert.deepEqual(r.violation?.failing, [2], 'the read is the op that cannot take effect')
  assert.match(r.violation?.states.join('\n') ?? '', /a = y/, 'the state at the failure holds the newer value')
})

test('bad: stale read served with its old revision: the revision goes backwards', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).put('c1', 2, 3, 'a', 'y', 3).get('c2', 4, 5, 'a', ['x', 2, 2, 1], 2)
  const r = assertViolation(h.build(), 'revision-order')
  assert.deepEqual(r.violation?.ops, [1, 2])
})

test('bad: lost update, two CAS from the same revision both succeed', () => {
  const h = new HistoryBuilder()
    .put('c0', 0, 1, 'a', '0', 2)
    .get('c1', 2, 3, 'a', ['0', 2, 2, 1], 2)
    .get('c2', 2, 3, 'a', ['0', 2, 2, 1], 2)
    .cas('c1', 4, 8, 'a', 2, '1', { succeeded: true, revision: 3 })
    .cas('c2', 5, 9, 'a', 2, '1', { succeeded: true, revision: 4 })
  assertViolation(h.build(), 'not-linearizable')
})

test('bad: lost update, an acked put that no later read sees', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).put('c2', 2, 3, 'b', 'y', 3).get('c1', 4, 5, 'b', null, 3)
  assertViolation(h.build(), 'not-linearizable')
})

test('bad: revision going backwards between two writes', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 3).put('c2', 2, 3, 'b', 'y', 2)
  const r = assertViolation(h.build(), 'revision-order')
  assert.match(r.violation?.message ?? '', /went backwards/)
})

test('bad: two writes acked with one revision', () => {
  const h = new HistoryBuilder().put('c1', 0, 3, 'a', 'x', 2).put('c2', 1, 2, 'b', 'y', 2)
  assertViolation(h.build(), 'duplicate-revision')
})

test('bad: a revision nobody wrote, and no unknown op to explain it', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).put('c1', 2, 3, 'a', 'y', 4)
  assertViolation(h.build(), 'revision-gap')
  assertLinearizable(new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).unknownPut('c2', 0, 1, 'b', 'z').put('c1', 2, 3, 'a', 'y', 4).build())
})

test('bad: a read sees a value that was never written', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).get('c2', 2, 3, 'a', ['ghost', 2, 2, 1], 2)
  assertViolation(h.build(), 'not-linearizable')
})

test('bad: a read sees an unknown put at an acked write\'s revision', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'x', 2).unknownPut('c2', 2, 3, 'b', 'y').put('c1', 4, 5, 'a', 'z', 3).get('c1', 6, 7, 'b', ['y', 3, 3, 1], 3)
  // The whole-history model gives the unknown put revision 3 too, which the ack of 3 then refuses.
  assertViolation(h.build(), 'not-linearizable')
})

test('bad: a CAS succeeds against a stale revision', () => {
  const h = new HistoryBuilder()
    .put('c1', 0, 1, 'a', 'x', 2)
    .put('c1', 2, 3, 'a', 'y', 3)
    .cas('c2', 4, 5, 'a', 2, 'z', { succeeded: true, revision: 4 })
  const r = assertViolation(h.build(), 'not-linearizable')
  assert.deepEqual(r.violation?.failing, [2], 'the CAS is the op that cannot take effect')
})

test('the failing part is the smallest: the bad key only, without the reads that do not matter', () => {
  const b = new HistoryBuilder()
  let t = 0
  let rev = 1
  // A busy, healthy key...
  for (let i = 0; i < 50; i++) {
    b.put('c1', t, t + 1, 'good', `g${i}`, ++rev)
    b.get('c2', t + 2, t + 3, 'good', [`g${i}`, rev, 2, i + 1], rev)
    t += 4
  }
  // ...and one with reads around a stale one.
  b.put('c1', t, t + 1, 'bad', 'x', ++rev)
  for (let i = 0; i < 10; i++) b.get('c3', t + 2 + i, t + 2 + i, 'bad', ['x', rev, rev, 1], rev)
  b.put('c1', t + 20, t + 21, 'bad', 'y', ++rev)
  b.get('c2', t + 22, t + 23, 'bad', ['x', rev - 1, rev - 1, 1], rev)
  const r = checkHistory(b.build())
  assert.equal(r.verdict, 'violation')
  assert.equal(r.partitions, 2)
  assert.deepEqual(r.violation?.keys, ['bad'])
  assert.equal(r.violation?.ops.length, 3, 'two puts and the stale read are left')
})

test('a malformed history is refused, not judged', () => {
  const h = new HistoryBuilder().put('c1', 5, 1, 'a', 'x', 2).build()
  assert.throws(() => checkHistory(h), { name: 'InvalidArgumentError', message: /returns \(1\) before it is invoked/ })
})

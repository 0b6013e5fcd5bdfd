// The watch checker against hand-written histories and watch records: good ones pass, and each
// kind of bad stream (dropped, duplicated, reordered, split, wrong prevKv, wrong counters, an
// event for a write that never happened, outside the range, too early) is caught and drawn.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkWatches, renderTimeline, type History, type WatchRecord, type WatchSpec } from '../../src/verify/index.js'
import { HistoryBuilder } from '../support/history-builder.js'
import { del, put, watchOf, type Ev } from '../support/history-watch.js'

// rev 2 put a=1, 3 put b=1, 4 put a=2, 5 delete a, 6 txn (b exists) put b=2 + put c=1.
function history(): History {
  return new HistoryBuilder()
    .put('c1', 0, 1, 'a', 'a1', 2)
    .put('c2', 2, 3, 'b', 'b1', 3)
    .put('c1', 4, 5, 'a', 'a2', 4)
    .del('c2', 6, 7, 'a', 1, 5)
    .txn('c1', 8, 9, [{ key: 'b', target: 'VERSION', result: 'GREATER', value: 0 }], [{ type: 'put', key: 'b', value: 'b2' }, { type: 'put', key: 'c', value: 'c1' }], [], true, [{ type: 'put' }, { type: 'put' }], 6)
    .build()
}

const all: WatchSpec = { key: '', rangeEnd: '\0', startRevision: 2, prevKv: true }
const e2 = put('a', 'a1', 2, 2, 1)
const e3 = put('b', 'b1', 3, 3, 1)
const e4 = put('a', 'a2', 4, 2, 2, ['a1', 2, 2, 1])
const e5 = del('a', 5, ['a2', 4, 2, 2])
const e6b = put('b', 'b2', 6, 3, 2, ['b1', 3, 3, 1])
const e6c = put('c', 'c1', 6, 6, 1)

/** One response per revision, each arriving just after its write returned. */
const goodResponses = (): Array<[number, number, Ev[]]> => [
  [1.5, 2, [e2]],
  [3.5, 3, [e3]],
  [5.5, 4, [e4]],
  [7.5, 5, [e5]],
  [9.5, 6, [e6b, e6c]],
]

function expectViolation(watches: WatchRecord[], kind: string, h = history()): void {
  const r = checkWatches(h, watches)
  assert.equal(r.verdict, 'violation', `expected ${kind}`)
  assert.equal(r.violation?.kind, kind, r.violation?.message)
  const html = renderTimeline(h, r.violation, watches)
  assert.match(html, /Watch violation/)
  assert.match(html, /watch w/, 'the watcher has a lane')
  assert.match(html, /class="bar failing/, 'the response at fault is red')
}

test('good: a watcher of everything with prevKv, one response per revision', () => {
  const r = checkWatches(history(), [watchOf('w', all, 0, goodResponses())])
  assert.equal(r.verdict, 'valid', r.violation?.message)
  assert.equal(r.events, 6)
  assert.equal(r.expected, 6)
})

test('good: batched revisions, a single-key watcher, a prefix watcher with a filter, a late start, progress responses', () => {
  const watches = [
    watchOf('w1', all, 0, [[9.5, 6, [e2, e3, e4, e5, e6b, e6c]]]),
    watchOf('w2', { key: 'a', startRevision: 3 }, 0, [[5.5, 4, [put('a', 'a2', 4, 2, 2)]], [7.5, 5, [del('a', 5)]], [9.6, 6, []]]),
    watchOf('w3', { key: 'b', rangeEnd: 'c', startRevision: 1, filters: ['NODELETE'] }, 0, [[3.5, 3, [put('b', 'b1', 3, 3, 1)]], [9.5, 6, [put('b', 'b2', 6, 3, 2)]]]),
    watchOf('w4', { ...all, startRevision: 5 }, 6, [[7.5, 5, [e5]]]),
  ]
  const r = checkWatches(history(), watches)
  assert.equal(r.verdict, 'valid', r.violation?.message)
})

test('good: a put with an unknown outcome seen by the watchers at the revision nobody acknowledged', () => {
  const h = history()
  h.operations.push({ client: 'c3', call: 9.8, return: 12, request: { type: 'put', key: 'a', value: 'ax' }, outcome: { status: 'unknown', error: 'timeout' } })
  h.operations.push({ client: 'c1', call: 13, return: 14, request: { type: 'put', key: 'a', value: 'a3' }, outcome: { status: 'ok', response: { type: 'put', revision: 8 } } })
  const tail: Array<[number, number, Ev[]]> = [[11, 7, [put('a', 'ax', 7, 7, 1)]], [14.5, 8, [put('a', 'a3', 8, 7, 2, ['ax', 7, 7, 1])]]]
  const r = checkWatches(h, [watchOf('w', all, 0, [...goodResponses(), ...tail]), watchOf('w2', { key: 'a', startRevision: 7 }, 9, [[11, 7, [put('a', 'ax', 7, 7, 1)]]])])
  assert.equal(r.verdict, 'valid', r.violation?.message)
  // The same record without the unknown write: an event nobody wrote.
  h.operations.splice(h.operations.length - 2, 1)
  h.operations.push({ client: 'c4', call: 9.8, return: 12, request: { type: 'put', key: 'z', value: 'zx' }, outcome: { status: 'unknown', error: 'timeout' } })
  expectViolation([watchOf('w', all, 0, [...goodResponses(), ...tail])], 'watch-phantom', h)
})

test('bad: an unknown write seen at a revision below one acknowledged before it was invoked', () => {
  // rev 2 and 4 acknowledged, 3 nobody acknowledged; the unknown put starts after rev 4 returned.
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', 'a1', 2).put('c1', 4, 5, 'b', 'b1', 4).unknownPut('c2', 6, 7, 'a', 'ax').build()
  const seen = (rev: number): Array<[number, number, Ev[]]> => [
    [1.5, 2, [put('a', 'a1', 2, 2, 1)]],
    [6.5, 4, [put('a', 'ax', rev, 2, 2), put('b', 'b1', 4, 4, 1)]],
  ]
  expectViolation([watchOf('w', { key: 'a', rangeEnd: 'c', startRevision: 2 }, 0, seen(3))], 'watch-phantom', h)
})

test('good: an unknown write nobody saw leaves the counters of its key unchecked, not wrong', () => {
  const h = history()
  h.operations.push({ client: 'c3', call: 9.8, return: 12, request: { type: 'put', key: 'b', value: 'bx' }, outcome: { status: 'unknown', error: 'timeout' } })
  h.operations.push({ client: 'c1', call: 13, return: 14, request: { type: 'put', key: 'b', value: 'b3' }, outcome: { status: 'ok', response: { type: 'put', revision: 8 } } })
  const r = checkWatches(h, [watchOf('w', { key: 'b', startRevision: 8, prevKv: true }, 12.5, [[14.5, 8, [put('b', 'b3', 8, 3, 4, ['bx', 7, 3, 3])]]])])
  assert.equal(r.verdict, 'valid', r.violation?.message)
})

test('bad: a dropped event', () => {
  const responses = goodResponses().filter(([, rev]) => rev !== 4)
  expectViolation([watchOf('w', all, 0, responses)], 'watch-missing')
})

test('bad: a dropped event at the end is caught through the response revision', () => {
  const responses = goodResponses()
  responses[4] = [9.5, 6, []]
  expectViolation([watchOf('w', all, 0, responses)], 'watch-missing')
})

test('bad: a duplicated event', () => {
  const responses = goodResponses()
  responses.splice(3, 0, [5.6, 4, [e4]])
  expectViolation([watchOf('w', all, 0, responses)], 'watch-duplicate')
})

test('bad: a reordered watch event', () => {
  const responses = goodResponses()
  const [r3, r4] = [responses[2], responses[3]]
  assert.ok(r3 !== undefined && r4 !== undefined)
  responses[2] = [7.5, 5, r4[2]]
  responses[3] = [7.6, 5, r3[2]]
  expectViolation([watchOf('w', all, 0, responses)], 'watch-order')
  // Behind a progress response that promised every event up to its revision.
  const behind = goodResponses()
  behind[2] = [5.5, 4, []]
  behind.splice(3, 0, [5.6, 4, [e4]])
  expectViolation([watchOf('w', all, 0, behind)], 'watch-order')
})

test("bad: one revision's events split across two responses", () => {
  const responses = goodResponses()
  responses[4] = [9.5, 6, [e6b]]
  responses.push([9.6, 6, [e6c]])
  expectViolation([watchOf('w', all, 0, responses)], 'watch-split')
})

test('bad: a wrong prevKv, a missing one, one on a create', () => {
  const wrong = goodResponses()
  wrong[2] = [5.5, 4, [put('a', 'a2', 4, 2, 2, ['a0', 1, 1, 1])]]
  expectViolation([watchOf('w', all, 0, wrong)], 'watch-prev-kv')
  const missing = goodResponses()
  missing[3] = [7.5, 5, [del('a', 5)]]
  expectViolation([watchOf('w', all, 0, missing)], 'watch-prev-kv')
  const onCreate = goodResponses()
  onCreate[1] = [3.5, 3, [put('b', 'b1', 3, 3, 1, ['b0', 2, 2, 1])]]
  expectViolation([watchOf('w', all, 0, onCreate)], 'watch-prev-kv')
})

test('bad: an event for a write that never happened, and one with another value', () => {
  const never = goodResponses()
  never[1] = [3.5, 3, [e3, put('z', 'z1', 3, 3, 1)]]
  expectViolation([watchOf('w', all, 0, never)], 'watch-phantom')
  const value = goodResponses()
  value[2] = [5.5, 4, [put('a', 'a9', 4, 2, 2, ['a1', 2, 2, 1])]]
  expectViolation([watchOf('w', all, 0, value)], 'watch-phantom')
  const beyond = goodResponses()
  beyond.push([11, 7, [put('a', 'a7', 7, 7, 1)]])
  expectViolation([watchOf('w', all, 0, beyond)], 'watch-phantom')
})

test('bad: counters unlike the linearised writes', () => {
  const responses = goodResponses()
  responses[2] = [5.5, 4, [put('a', 'a2', 4, 4, 1, ['a1', 2, 2, 1])]]
  expectViolation([watchOf('w', all, 0, responses)], 'watch-mismatch')
})

test('bad: outside the range, filtered, before the start', () => {
  expectViolation([watchOf('w', { key: 'a', startRevision: 2 }, 0, [[3.5, 3, [e3]]])], 'watch-range')
  expectViolation([watchOf('w', { ...all, filters: ['NOPUT'] }, 0, [[1.5, 2, [e2]]])], 'watch-range')
  expectViolation([watchOf('w', { ...all, startRevision: 3 }, 0, goodResponses())], 'watch-range')
})

test('bad: an event before its write was invoked, a response after the end', () => {
  const early = goodResponses()
  early[2] = [3.9, 4, [e4]]
  expectViolation([watchOf('w', all, 0, early)], 'watch-early')
  const w = watchOf('w', all, 0, goodResponses())
  const canceled = w.responses[2]
  assert.ok(canceled !== undefined)
  canceled.canceled = true
  expectViolation([w], 'watch-after-end')
})

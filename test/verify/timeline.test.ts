// The violation page: self-contained, escapes what it shows, highlights the failing op, and
// keeps a large failing part to a window around the failure; a watch violation adds the watcher's lane.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkHistory, checkWatches, renderTimeline } from '../../src/verify/index.js'
import { HistoryBuilder } from '../support/history-builder.js'

test('a stale read is drawn with the read in red and the state at the failure', () => {
  const h = new HistoryBuilder().put('c1', 0, 1, 'a', '<x>', 2).put('c1', 2, 3, 'a', 'y&z', 3).get('c2', 4, 5, 'a', ['<x>', 2, 2, 1], 3).build()
  const r = checkHistory(h)
  assert.ok(r.violation !== undefined, 'a violation')
  const html = renderTimeline(h, r.violation)
  assert.doesNotMatch(html, /<x>/, 'values are escaped')
  assert.match(html, /&#60;x&#62;/)
  assert.equal(html.match(/class="bar failing/g)?.length, 1, 'one op highlighted')
  assert.match(html, /a = y&#38;z \(mod 3/, 'the model state at the failure')
  assert.doesNotMatch(html, /<script|src=|href=/, 'no scripts, nothing fetched')
})

test('a long failing part is cut to a window around the failure', () => {
  const b = new HistoryBuilder()
  for (let i = 0; i < 200; i++) b.put('c1', 2 * i, 2 * i + 1, 'a', `v${i}`, i + 2)
  b.get('c2', 400, 401, 'a', ['v3', 5, 2, 4], 201)
  const h = b.build()
  const r = checkHistory(h)
  assert.ok(r.violation !== undefined, 'a violation')
  assert.equal(r.violation.ops.length, 201)
  const html = renderTimeline(h, r.violation)
  const bars = html.match(/<rect /g)?.length ?? 0
  assert.ok(bars > 0 && bars <= 60, `${bars} bars drawn`)
  assert.match(html, /far from the failure hidden/)
  assert.match(html, /#200 c2: get a/, 'the stale read is drawn')
})

test('a watch violation gets a lane for the watcher: its responses near the failure, the faulty one red, values escaped', () => {
  const b = new HistoryBuilder()
  for (let i = 0; i < 20; i++) b.put('c1', 2 * i, 2 * i + 1, 'a', `<v${i}>`, i + 2)
  const h = b.build()
  // One response per revision, each just after its write; the one of revision 12 is missing.
  const responses = Array.from({ length: 20 }, (_, i) => i)
    .filter((i) => i !== 10)
    .map((i) => ({ time: 2 * i + 1.5, revision: i + 2, events: [{ type: 'PUT' as const, key: 'a', kv: { value: `<v${i}>`, modRevision: i + 2, createRevision: 2, version: i + 1 } }] }))
  const watches = [{ client: 'w1', call: 0, request: { key: 'a', startRevision: 2 }, responses }]
  const r = checkWatches(h, watches)
  assert.ok(r.violation !== undefined, 'a violation')
  assert.equal(r.violation.kind, 'watch-missing')
  assert.deepEqual(r.violation.watch, { watcher: 0, responses: [10], revision: 12 })
  const html = renderTimeline(h, r.violation, watches)
  assert.match(html, /Watch violation: watch-missing/)
  assert.match(html, /watch w1<\/text>/, 'a lane named after the watcher')
  // The faulty response and three on either side.
  assert.equal(html.match(/<text[^>]*>r\d+<\/text>/g)?.length, 7, 'seven response marks')
  assert.match(html, /<tr class="failing"><td>r10<\/td>/, 'the response where the event should have been, listed in red')
  assert.doesNotMatch(html, /<v1/, 'values are escaped')
  // Without the watch records the page still draws the write at fault.
  assert.match(renderTimeline(h, r.violation), /#10 c1: put a=&#60;v10&#62;/)
})

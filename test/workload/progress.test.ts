// The live progress line: complete when there is room, and never wider than the terminal (a line
// redrawn with \r that wraps garbles every redraw after it).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Progress } from '../../src/workload/progress.js'
import { Stats, categoryNames } from '../../src/workload/stats.js'
import type { Workload } from '../../src/workload/workload.js'

/** The parts of a Workload the line reads, with a clock the test moves. */
function fakeWorkload(): { workload: Workload; stats: Stats; advance(ms: number): void } {
  let nowMs = 0
  const stats = new Stats()
  const fake = {
    ctx: { scheduler: { monotonicMs: () => nowMs }, kv: { revision: 40_277 } },
    stats,
    monitor: { last: { dbSize: 12.34 * 1048576 } },
    phase: 'running',
    elapsedMs: () => nowMs,
  }
  // Progress reads only the fields above; a whole Workload needs a store and timers.
  return { workload: fake as unknown as Workload, stats, advance: (ms) => (nowMs += ms) }
}

function busy(stats: Stats): void {
  for (const [i, name] of categoryNames.entries()) for (let n = 0; n < 37 * (i + 1); n++) stats.of(name).done(1)
  for (let n = 0; n < 100; n++) stats.delivered(0.5 + n / 100)
}

test('with room, the line holds every field, numbers formatted alike', () => {
  const { workload, stats, advance } = fakeWorkload()
  const progress = new Progress(workload)
  busy(stats)
  advance(1000)
  const line = progress.line()
  assert.match(line, /^ {2}1\.0s \| rev 40,277 \| db 12\.3 MiB \| ops\/s [\d,]+: node 37 pod 74 .* \| watch p50 [\d.]+ p99 [\d.]+ ms$/)
  for (const [, short] of [['', 'node'], ['', 'ctl'], ['', 'compact']]) assert.match(line, new RegExp(`\\b${short} \\d`))
})

test('at 80 and 120 columns the line fits, dropping per-category rates first', () => {
  for (const width of [40, 80, 120]) {
    const { workload, stats, advance } = fakeWorkload()
    const progress = new Progress(workload)
    busy(stats)
    advance(1000)
    const line = progress.line(width)
    assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`)
    assert.match(line, /rev 40,277 \| .*ops\/s [\d,]+/)
    if (width >= 80) assert.match(line, /watch p50/)
  }
  // The full line is longer than 80: something was dropped there.
  const { workload, stats, advance } = fakeWorkload()
  const progress = new Progress(workload)
  busy(stats)
  advance(1000)
  assert.ok(progress.line().length > 80)
})

test('rates are over the window since the previous line, which it resets', () => {
  const { workload, stats, advance } = fakeWorkload()
  const progress = new Progress(workload)
  for (let n = 0; n < 50; n++) stats.of('node-status').done(1)
  advance(2000)
  assert.match(progress.line(), /ops\/s 25: node 25 /)
  advance(1000)
  assert.match(progress.line(), /ops\/s 0: node 0 .*\| watch -$/)
})

// ReadSlicer: pages sized from the measured time per row so one page takes about half the budget,
// clamped to [sliceRowsMin, sliceRowsMax], and a yield to the event loop once a slice has spent
// half its budget (so no synchronous stretch of a sliced read exceeds readSliceMs by much).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ReadSlicer, sliceRowsMax, sliceRowsMin } from '../../src/util/index.js'

/** Burns `ms` of CPU, standing in for reading rows (not a sleep: the loop is blocked throughout). */
function work(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin
  }
}

test('pages shrink when rows are slow and grow when they are fast, within the bounds', async () => {
  const slicer = new ReadSlicer(10, 128)
  assert.equal(slicer.pageRows, 128)
  work(8) // 128 rows in 8 ms: ~62 us a row; 5 ms of budget fits ~80
  await slicer.pageDone(128)
  assert.ok(slicer.pageRows < 128 && slicer.pageRows >= sliceRowsMin, `shrunk to ${slicer.pageRows}`)
  await slicer.pageDone(1000) // 1000 rows in almost no time: as many as allowed
  assert.equal(slicer.pageRows, sliceRowsMax)
  work(50)
  await slicer.pageDone(1)
  assert.equal(slicer.pageRows, sliceRowsMin)
})

test('yields to the event loop once half the budget is spent, and not before', async () => {
  const slicer = new ReadSlicer(200)
  let ran = false
  setImmediate(() => (ran = true))
  await slicer.pageDone(10) // next to nothing spent
  assert.equal(ran, false, 'no yield yet')
  assert.equal(slicer.yields, 0)
  work(110)
  await slicer.pageDone(10)
  assert.equal(ran, true, 'an immediate ran during the yield')
  assert.equal(slicer.yields, 1)
})

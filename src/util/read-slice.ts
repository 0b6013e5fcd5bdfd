// Bounded slices for large reads (DESIGN: nothing blocks the event loop for long). A read that
// walks many rows does it page by page; a ReadSlicer sizes the pages so one page takes about
// readSliceMs, and yields to the event loop between pages, so timers, watch deliveries and other
// requests run in between.
//
// Page size adapts to what was measured: after a page of n rows that took t ms, the next page gets
// n * budget / t rows (halved for safety, clamped to [rowsMin, rowsMax]). The time is read from the
// monotonic performance clock: it sizes work and never decides an outcome, so the injected Clock
// (which tests freeze) is not the right source.
import { performance } from 'node:perf_hooks'
import { assert } from './assert.js'

export const sliceRowsMin = 16
export const sliceRowsMax = 10_000

/** Resolves on a later turn of the event loop, after pending I/O and timers had their turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class ReadSlicer {
  // Rows to ask for in the next page; sliceRowsMin <= rows <= sliceRowsMax.
  private rows: number
  // performance.now() when the current slice began, and when the last page ended (or the slice began).
  private began = performance.now()
  private mark = this.began
  /** Times the read yielded (for tests and stats). */
  yields = 0

  constructor(
    private readonly budgetMs: number,
    firstRows = 128,
  ) {
    assert(budgetMs > 0, 'util: a read slice budget must be positive')
    this.rows = Math.min(Math.max(firstRows, sliceRowsMin), sliceRowsMax)
  }

  /** Rows the next page should read. */
  get pageRows(): number {
    return this.rows
  }

  /** A page of `rows` rows ended: resize the next one, and yield if the slice's time is spent. */
  async pageDone(rows: number): Promise<void> {
    const now = performance.now()
    const spent = now - this.began
    const page = now - this.mark
    this.mark = now
    if (rows > 0) {
      const perRow = Math.max(page, 0.01) / rows
      const fit = Math.floor(this.budgetMs / perRow / 2)
      this.rows = Math.min(Math.max(fit, sliceRowsMin), sliceRowsMax)
    }
    if (spent >= this.budgetMs / 2) {
      this.yields++
      await yieldToEventLoop()
      this.began = performance.now()
      this.mark = this.began
    }
  }
}

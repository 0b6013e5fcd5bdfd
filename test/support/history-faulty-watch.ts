// A faulty proxy in front of a real watcher: the watch bugs the watch checker must catch,
// injected without touching src/.
//  - 'watch-drop': an event of some responses is left out.
//  - 'watch-reorder': a response with events is held back and delivered after the next one.
import type { WatchResponse } from '../../src/index.js'
import type { WatchSource } from './history-watch.js'

export type WatchFault = 'none' | 'watch-drop' | 'watch-reorder'

export class FaultyWatch implements WatchSource {
  /** Faults actually injected, so a test can tell a missed bug from one never triggered. */
  injected = 0
  // watch-reorder: a response held back until the next one with events has gone out.
  private held: WatchResponse | undefined

  constructor(
    private readonly inner: WatchSource,
    private readonly fault: WatchFault,
    private readonly random: () => number,
    private readonly rate = 0.2,
  ) {}

  // Responses ready to go out before reading the inner watcher again.
  private readonly out: WatchResponse[] = []

  async next(): Promise<IteratorResult<WatchResponse, unknown>> {
    for (;;) {
      const ready = this.out.shift()
      if (ready !== undefined) return { done: false, value: ready }
      const r = await this.inner.next()
      if (r.done === true) return r
      const held = this.held
      if (held !== undefined) {
        // The later response first, then the held one: revisions go backwards.
        this.held = undefined
        this.injected++
        this.out.push(r.value, held)
        continue
      }
      if (r.value.events.length === 0 || r.value.canceled === true) return r
      if (this.fault === 'watch-drop' && this.random() < this.rate) {
        this.injected++
        return { done: false, value: { ...r.value, events: r.value.events.slice(1) } }
      }
      if (this.fault === 'watch-reorder' && this.random() < this.rate) {
        this.held = r.value
        continue
      }
      return r
    }
  }

  cancel(): void {
    this.inner.cancel()
  }
}

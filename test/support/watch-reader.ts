// Reading watch responses in tests without sleeping: next() awaits one; poll() gives the event
// loop a few turns and reports undefined when nothing came (the pending read is kept for later).
import assert from 'node:assert/strict'
import type { Watcher, WatchEvent, WatchResponse } from '../../src/index.js'

export const turns = async (n = 10): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

export const show = (e: WatchEvent): string => {
  const key = Buffer.from(e.kv.key).toString('utf8')
  const put = e.type === 'PUT' ? `=${Buffer.from(e.kv.value).toString('utf8')}` : ''
  const prev = e.prevKv === undefined ? '' : ` prev=${Buffer.from(e.prevKv.value).toString('utf8')}@${e.prevKv.modRevision}`
  return `${e.type} ${key}@${e.kv.modRevision}${put}${prev}`
}

export class Reader {
  private pending: Promise<IteratorResult<WatchResponse, undefined>> | undefined
  readonly responses: WatchResponse[] = []

  constructor(readonly watcher: Watcher) {}

  async next(): Promise<WatchResponse> {
    const r = await (this.pending ?? this.watcher.next())
    this.pending = undefined
    assert.equal(r.done, false, 'the watch ended')
    this.responses.push(r.value as WatchResponse)
    return r.value as WatchResponse
  }

  /** A response if one arrives within a few event-loop turns, else undefined. */
  async poll(n = 10): Promise<WatchResponse | undefined> {
    this.pending ??= this.watcher.next()
    const r = await Promise.race([this.pending, turns(n).then(() => undefined)])
    if (r === undefined) return undefined
    this.pending = undefined
    assert.equal(r.done, false, 'the watch ended')
    this.responses.push(r.value as WatchResponse)
    return r.value as WatchResponse
  }

  /** Responses until one reports `revision` or more (or the watch is canceled); their events. */
  async until(revision: number): Promise<string[]> {
    const out: string[] = []
    for (;;) {
      const r = await this.next()
      out.push(...r.events.map(show))
      if (r.canceled === true || r.revision >= revision) return out
    }
  }

  /** True once the iterator says done. */
  async finished(): Promise<boolean> {
    const r = await (this.pending ?? this.watcher.next())
    this.pending = undefined
    return r.done === true
  }
}

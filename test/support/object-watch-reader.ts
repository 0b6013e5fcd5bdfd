// Reading object watch events in tests without sleeping: next() awaits one; poll() gives the
// event loop a few turns and reports undefined when nothing came (the pending read is kept).
import assert from 'node:assert/strict'
import type { KubeObject } from '../../src/codec/index.js'
import type { ObjectWatchEvent, ObjectWatcher } from '../../src/objects/index.js'
import { turns } from './watch-reader.js'

/** `ADDED a@2`, `BOOKMARK @5 end`, `ERROR 410 too old resource version: 1 (3)`. */
export const showEvent = (e: ObjectWatchEvent): string => {
  if (e.type === 'ERROR') return `ERROR ${e.object.code} ${e.object.message}`
  const meta = e.object.metadata
  if (e.type === 'BOOKMARK') return `BOOKMARK @${meta.resourceVersion}${meta.annotations?.['k8s.io/initial-events-end'] === 'true' ? ' end' : ''}`
  return `${e.type} ${meta.name}@${meta.resourceVersion}`
}

/** The object of an event that must not be an ERROR. */
export function objectOf(e: ObjectWatchEvent | undefined): KubeObject {
  assert.ok(e !== undefined && e.type !== 'ERROR', e === undefined ? 'no event' : showEvent(e))
  return e.object
}

export class EventReader {
  private pending: Promise<IteratorResult<ObjectWatchEvent, undefined>> | undefined

  constructor(readonly watcher: ObjectWatcher) {}

  async next(): Promise<ObjectWatchEvent> {
    const r = await (this.pending ?? this.watcher.next())
    this.pending = undefined
    assert.equal(r.done, false, 'the watch ended')
    return r.value as ObjectWatchEvent
  }

  /** The next `n` events, shown. */
  async take(n: number): Promise<string[]> {
    const out: string[] = []
    for (let i = 0; i < n; i++) out.push(showEvent(await this.next()))
    return out
  }

  /** An event if one arrives within a few event-loop turns, else undefined. */
  async poll(n = 10): Promise<ObjectWatchEvent | undefined> {
    this.pending ??= this.watcher.next()
    const r = await Promise.race([this.pending, turns(n).then(() => undefined)])
    if (r === undefined) return undefined
    this.pending = undefined
    assert.equal(r.done, false, 'the watch ended')
    return r.value as ObjectWatchEvent
  }

  /** True once the iterator says done. */
  async finished(): Promise<boolean> {
    const r = await (this.pending ?? this.watcher.next())
    this.pending = undefined
    return r.done === true
  }
}

// Serving a watcher that starts behind the cache, one page per pull: from the ring while its
// next revision is still complete there, else from the log (the source of truth) by position,
// and live once it reaches the cache's revision. Pulling, not pushing, means a slow reader in
// catch-up holds one page at most. Each page holds whole revisions and moves nextRevision past
// them, so ring -> live and log -> ring hand-overs neither skip nor repeat a revision.
import type { KvEvent } from '../mvcc/index.js'
import { defer } from '../util/index.js'
import { cacheEvents, type CachedEvent } from './cached-event.js'
import type { EventRing } from './event-ring.js'
import type { EventSource, WatchEvent } from './types.js'
import { shapeFor } from './watcher-groups.js'
import type { Watcher } from './watcher.js'

export interface CatchUpContext {
  readonly source: EventSource
  readonly ring: EventRing
  /** Every event at or above it (up to revision) is in the ring. */
  readonly ringStartRevision: number
  readonly revision: number
  readonly responseEventsMax: number
  goLive(w: Watcher): void
  compacted(w: Watcher, compactRevision: number): void
}

export function catchUp(ctx: CatchUpContext, w: Watcher): void | Promise<void> {
  if (w.nextRevision > ctx.revision) {
    ctx.goLive(w)
    return undefined
  }
  if (w.nextRevision >= ctx.ringStartRevision) {
    w.logPosition = undefined
    fromRing(ctx, w)
    return undefined
  }
  return fromLog(ctx, w)
}

function fromRing(ctx: CatchUpContext, w: Watcher): void {
  const { ring } = ctx
  const end = ring.endIndex
  const page: WatchEvent[] = []
  let i = ring.firstIndexAtOrAfter(w.nextRevision)
  let scanned = w.nextRevision - 1
  for (; i < end; i++) {
    const e = ring.at(i)
    // Stop only where a new revision begins, so a page never splits one.
    if (e.revision !== scanned && page.length >= ctx.responseEventsMax) break
    scanned = e.revision
    if (!w.range.contains(e.key)) continue
    const shaped = shapeFor(w, e)
    if (shaped !== undefined) page.push(shaped)
  }
  if (page.length > 0) w.enqueue(Object.freeze(page), false)
  if (i < end) w.nextRevision = scanned + 1
  else {
    // The ring ends at the cache's revision: from here on the dispatcher pushes.
    w.nextRevision = Math.max(w.nextRevision, ctx.revision + 1)
    ctx.goLive(w)
  }
}

async function fromLog(ctx: CatchUpContext, w: Watcher): Promise<void> {
  // A long history is read in many pages: let other work run between them.
  await new Promise<void>((resolve) => defer(resolve))
  if (w.mode !== 'catch-up') return
  const position = w.logPosition ?? ctx.source.eventPositionBefore(w.nextRevision)
  const batch = ctx.source.readEvents(position, ctx.responseEventsMax)
  // Rows at or above the compaction revision are never removed; below it they may be (W6).
  if (batch.compactRevision > w.nextRevision) {
    ctx.compacted(w, batch.compactRevision)
    return
  }
  const inRange = batch.events.filter((e) => w.range.contains(e.kv.key))
  const events = w.prevKv ? await cacheEvents(ctx.source, inRange, new Map()) : inRange.map(plainEvent)
  if (w.mode !== 'catch-up') return
  const last = batch.events[batch.events.length - 1]
  const more = last !== undefined && batch.events.length >= ctx.responseEventsMax
  const page: WatchEvent[] = []
  for (const e of events) {
    const shaped = shapeFor(w, e)
    if (shaped !== undefined) page.push(shaped)
  }
  w.logPosition = batch.position
  // A short batch read everything up to the head of its snapshot.
  w.nextRevision = more ? last.kv.modRevision + 1 : Math.max(w.nextRevision, batch.revision + 1)
  if (page.length > 0) w.enqueue(Object.freeze(page), false)
}

function plainEvent(e: KvEvent): CachedEvent {
  const kv = Object.freeze(e.kv)
  const plain: WatchEvent = Object.freeze({ type: e.type, kv })
  return { revision: kv.modRevision, key: kv.key, plain, withPrev: plain, bytes: 0 }
}

// What every revision of a history wrote, as watchers must see it: the events of the acknowledged
// write that took the revision, or, at a revision no acknowledged write took, the events watchers
// saw there explained by one write whose outcome is unknown. Replaying them in revision order (the
// linearised order of writes) gives each event's createRevision, version and previous version.
import { type History, type KvView, mayWrite, type Operation, operationAt, type SimpleRequest } from './history.js'
import type { WatchEventRecord, WatchRecord } from './watch-history.js'

/** An event the store must have emitted, with what it must carry. */
export interface ExpectedEvent {
  type: 'PUT' | 'DELETE'
  key: string
  /** The put's value ('' for a delete). */
  value: string
  revision: number
  createRevision: number
  version: number
  /** The key's version before this event: null if absent (a create). */
  prev: KvView | null
  /** An unseen write whose outcome is unknown may have touched the key before: counters and prev unknown. */
  uncertain: boolean
  /** The write (index into history.operations), or -1 for none known. */
  op: number
}

/** What a revision wrote; -1 holds the keys of unknown writes nobody saw (they may sit in any gap). */
interface Content {
  written: Written[]
  op: number
  /** Keys the op may also have written unseen. */
  doubt: string[]
}

interface Written {
  type: 'PUT' | 'DELETE'
  key: string
  value: string
}

/** Where a watcher saw an event, for messages. */
export interface Sighting {
  watcher: number
  response: number
  event: WatchEventRecord
}

export type RevisionProblem = { kind: 'watch-phantom'; revision: number; sighting: Sighting; message: string }

export interface RevisionTable {
  /** Revision -> its events in op order, for revisions whose content is known (wholly or in part). */
  events: Map<number, ExpectedEvent[]>
  /** Revision -> the write that took it. */
  writer: Map<number, number>
  problem?: RevisionProblem
}

/** The writes an acknowledged op made (REV2, T5): nothing for a read or a delete of nothing. */
function ackedWrites(op: Operation): Written[] {
  if (op.outcome.status !== 'ok') return []
  const res = op.outcome.response
  const req = op.request
  const one = (r: SimpleRequest, deleted: number): Written[] =>
    r.type === 'put' ? [{ type: 'PUT', key: r.key, value: r.value }] : r.type === 'delete' && deleted > 0 ? [{ type: 'DELETE', key: r.key, value: '' }] : []
  if (req.type !== 'txn') return one(req, res.type === 'delete' ? res.deleted : 0)
  if (res.type !== 'txn') return []
  const branch = res.succeeded ? req.success : req.failure
  return branch.flatMap((r, j) => {
    const result = res.results[j]
    return one(r, result?.type === 'delete' ? result.deleted : 0)
  })
}

/** Every write an unknown op could have made, over both branches of a txn. */
function possibleWrites(op: Operation): Written[] {
  const req = op.request
  const ops = req.type === 'txn' ? [...req.success, ...req.failure] : [req]
  return ops.flatMap((r): Written[] => (r.type === 'put' ? [{ type: 'PUT', key: r.key, value: r.value }] : r.type === 'delete' ? [{ type: 'DELETE', key: r.key, value: '' }] : []))
}

const same = (w: Written, e: WatchEventRecord): boolean => w.type === e.type && w.key === e.key && (w.type === 'DELETE' || w.value === e.kv.value)

/** The highest revision of an acknowledged write that returned before `time` (REV9 lower bound). */
function revisionFloor(history: History): (time: number) => number {
  const acked = history.operations
    .filter((op) => op.outcome.status === 'ok' && ackedWrites(op).length > 0)
    .map((op) => ({ ret: op.return, rev: op.outcome.status === 'ok' ? op.outcome.response.revision : 0 }))
    .sort((a, b) => a.ret - b.ret)
  const prefixMax: number[] = []
  let max = 0
  for (const a of acked) prefixMax.push((max = Math.max(max, a.rev)))
  return (time) => {
    let lo = 0
    let hi = acked.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((acked[mid]?.ret ?? Infinity) < time) lo = mid + 1
      else hi = mid
    }
    return lo === 0 ? 0 : (prefixMax[lo - 1] ?? 0)
  }
}

/** Every event watchers saw, by revision. */
function sightings(watches: readonly WatchRecord[]): Map<number, Sighting[]> {
  const byRevision = new Map<number, Sighting[]>()
  watches.forEach((w, watcher) =>
    w.responses.forEach((r, response) => {
      for (const event of r.events) {
        const list = byRevision.get(event.kv.modRevision) ?? []
        list.push({ watcher, response, event })
        byRevision.set(event.kv.modRevision, list)
      }
    }),
  )
  return byRevision
}

/**
 * Content of the revisions nobody acknowledged: the events seen there must all come from one
 * unknown write, used for no other revision, invoked before any of them arrived, and at a
 * revision above every acknowledged write that returned before it was invoked (REV9). Greedy in
 * revision order; values unique per write make the choice unambiguous.
 */
function explainGaps(history: History, watches: readonly WatchRecord[], table: RevisionTable, contents: Map<number, Content>): void {
  const floor = revisionFloor(history)
  const unknown = history.operations.flatMap((op, i) => (op.outcome.status === 'unknown' && mayWrite(op.request) ? [i] : []))
  const used = new Set<number>()
  const seenBy = sightings(watches)
  for (const revision of [...seenBy.keys()].sort((a, b) => a - b)) {
    if (table.writer.has(revision)) continue
    const seen = seenBy.get(revision) ?? []
    const first = seen[0]
    if (first === undefined) continue
    const arrived = Math.min(...seen.map((s) => watches[s.watcher]?.responses[s.response]?.time ?? Infinity))
    const candidate = unknown.find((i) => {
      const op = operationAt(history, i)
      if (used.has(i) || op.call > arrived || floor(op.call) >= revision) return false
      const writes = possibleWrites(op)
      return seen.every((s) => writes.some((w) => same(w, s.event)))
    })
    if (candidate === undefined) {
      const e = first.event
      table.problem = {
        kind: 'watch-phantom',
        revision,
        sighting: first,
        message: `${e.type} ${e.key}${e.type === 'PUT' ? `=${e.kv.value}` : ''} at revision ${revision}: no write made it (no acknowledged write took that revision, and no write with an unknown outcome fits)`,
      }
      return
    }
    used.add(candidate)
    table.writer.set(revision, candidate)
    // Keep the writes seen, in the op's order; the rest of the op may or may not have run.
    const writes = possibleWrites(operationAt(history, candidate))
    const keep = writes.filter((w) => seen.some((s) => same(w, s.event)))
    const doubt = writes.filter((w) => !keep.includes(w)).map((w) => w.key)
    contents.set(revision, { written: keep, op: candidate, doubt })
  }
  // Keys an unseen unknown write may have changed at some revision nobody watched.
  const unseen = new Set(unknown.filter((i) => !used.has(i)).flatMap((i) => possibleWrites(operationAt(history, i)).map((w) => w.key)))
  contents.set(-1, { written: [], op: -1, doubt: [...unseen] })
}

/** Builds the table: acknowledged writes, explained gaps, then the replay for counters and prev. */
export function revisionTable(history: History, watches: readonly WatchRecord[]): RevisionTable {
  const table: RevisionTable = { events: new Map(), writer: new Map() }
  const contents = new Map<number, Content>()
  history.operations.forEach((op, i) => {
    const written = ackedWrites(op)
    if (written.length === 0 || op.outcome.status !== 'ok') return
    // Two acked writes at one revision are checkRevisions' business: keep the first.
    if (table.writer.has(op.outcome.response.revision)) return
    table.writer.set(op.outcome.response.revision, i)
    contents.set(op.outcome.response.revision, { written, op: i, doubt: [] })
  })
  explainGaps(history, watches, table, contents)
  if (table.problem !== undefined) return table
  const uncertainKeys = contents.get(-1)?.doubt ?? []
  const state = new Map<string, KvView>()
  const uncertain = new Set<string>()
  const revisions = [...contents.keys()].filter((r) => r > 0).sort((a, b) => a - b)
  let last = history.initialRevision
  for (const revision of revisions) {
    // A revision with no known content before this one: an unseen unknown write may sit there.
    if (revision > last + 1) for (const k of uncertainKeys) uncertain.add(k)
    last = revision
    const content = contents.get(revision)
    if (content === undefined) continue
    const events: ExpectedEvent[] = []
    for (const w of content.written) {
      const prev = state.get(w.key) ?? null
      const doubt = uncertain.has(w.key)
      if (w.type === 'PUT') {
        const kv = { value: w.value, modRevision: revision, createRevision: prev?.createRevision ?? revision, version: (prev?.version ?? 0) + 1 }
        events.push({ type: 'PUT', key: w.key, value: w.value, revision, createRevision: kv.createRevision, version: kv.version, prev, uncertain: doubt, op: content.op })
        state.set(w.key, kv)
      } else {
        events.push({ type: 'DELETE', key: w.key, value: '', revision, createRevision: 0, version: 0, prev, uncertain: doubt, op: content.op })
        state.delete(w.key)
        // After a delete the key is known absent again.
        uncertain.delete(w.key)
      }
    }
    table.events.set(revision, events)
    // Parts of an unknown txn nobody saw may have run at this revision too.
    for (const k of content.doubt) uncertain.add(k)
  }
  return table
}

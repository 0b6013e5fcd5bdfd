// checkWatches: each watcher's stream against the history's writes (etcd's robustness suite,
// validate/watch.go, checks the same guarantees, W7): ordered, atomic per revision, unique,
// complete for its range between its start and the last revision it saw, consistent with the
// linearised writes (value, modRevision, createRevision, version) and with the right prevKv (W9).
import type { Violation } from './check.js'
import { describeKv, type History, type KvView, operationAt, validateHistory } from './history.js'
import { type WatchEventRecord, type WatchRecord, type WatchViolationKind, validateWatches, watchWants } from './watch-history.js'
import { type ExpectedEvent, revisionTable, type RevisionTable } from './watch-revisions.js'

export interface WatchCheckResult {
  verdict: 'valid' | 'violation'
  watchers: number
  /** Events received over all watchers. */
  events: number
  /** Events a watcher had to receive (its range, filters and window) over all watchers. */
  expected: number
  elapsedMs: number
  violation?: Violation
}

class WatchViolation extends Error {
  constructor(
    readonly kind: WatchViolationKind,
    readonly detail: string,
    readonly response: number,
    readonly revision: number,
    readonly key: string,
    readonly op: number,
    readonly states: string[] = [],
  ) {
    super(detail)
  }
}

const sameKv = (a: KvView, b: KvView): boolean =>
  a.value === b.value && a.modRevision === b.modRevision && a.createRevision === b.createRevision && a.version === b.version

const showEvent = (e: WatchEventRecord): string => `${e.type} ${e.key}${e.type === 'PUT' ? `=${e.kv.value}` : ''}@${e.kv.modRevision}`

/** The checks of one event against what the revision wrote. */
function checkEvent(w: WatchRecord, e: WatchEventRecord, expected: ExpectedEvent | undefined, at: { response: number; time: number }, history: History): void {
  const rev = e.kv.modRevision
  const fail = (kind: WatchViolationKind, why: string, states: string[] = []): never => {
    throw new WatchViolation(kind, `${showEvent(e)}: ${why}`, at.response, rev, e.key, expected?.op ?? -1, states)
  }
  if (expected === undefined) fail('watch-phantom', `no write of ${e.key} took revision ${rev}`)
  else {
    if (expected.type !== e.type) fail('watch-phantom', `revision ${rev} made a ${expected.type} of ${e.key}, not a ${e.type}`)
    if (e.type === 'PUT' && expected.value !== e.kv.value) fail('watch-phantom', `revision ${rev} wrote ${e.key}=${expected.value}`)
    const op = expected.op >= 0 ? operationAt(history, expected.op) : undefined
    if (op !== undefined && at.time < op.call) fail('watch-early', `received at ${at.time}, before its write was invoked at ${op.call}`)
    if (e.type === 'PUT' && !expected.uncertain && (e.kv.createRevision !== expected.createRevision || e.kv.version !== expected.version)) {
      fail('watch-mismatch', `create ${e.kv.createRevision} ver ${e.kv.version}, but the linearised writes give create ${expected.createRevision} ver ${expected.version}`)
    }
    checkPrevKv(w, e, expected, fail)
  }
}

function checkPrevKv(w: WatchRecord, e: WatchEventRecord, expected: ExpectedEvent, fail: (kind: WatchViolationKind, why: string, states?: string[]) => never): void {
  const states = [`previous version of ${e.key}: ${describeKv(expected.prev)}${expected.uncertain ? ' (uncertain)' : ''}`, `prevKv received: ${e.prevKv === undefined ? 'none' : describeKv(e.prevKv)}`]
  if (w.request.prevKv !== true) {
    if (e.prevKv !== undefined) fail('watch-prev-kv', 'a prevKv the watch did not ask for', states)
    return
  }
  if (expected.uncertain) return
  if (expected.prev === null) {
    if (e.prevKv !== undefined) fail('watch-prev-kv', 'a prevKv on a create', states)
    return
  }
  if (e.prevKv === undefined) fail('watch-prev-kv', 'no prevKv, but the key had a previous version', states)
  else if (!sameKv(e.prevKv, expected.prev)) fail('watch-prev-kv', `prevKv ${describeKv(e.prevKv)} is not the previous version`, states)
}

/** Order, atomicity, uniqueness, range and content of what one watcher received; returns the events and the last revision seen. */
function checkStream(w: WatchRecord, table: RevisionTable, history: History): { received: Set<string>; seenUpTo: number; count: number } {
  const received = new Set<string>()
  let lastRevision = 0
  let lastResponse = -1
  let seenUpTo = w.request.startRevision - 1
  let count = 0
  let ended = false
  // The revision of the last response not canceled: every event at or below it was delivered.
  let promised = 0
  w.responses.forEach((r, i) => {
    const fail = (kind: WatchViolationKind, why: string, revision: number, key = ''): never => {
      throw new WatchViolation(kind, why, i, revision, key, table.writer.get(revision) ?? -1)
    }
    if (ended) fail('watch-after-end', `response ${i} arrived after the watch ended`, r.revision)
    if (r.canceled === true) ended = true
    r.events.forEach((e, j) => {
      const rev = e.kv.modRevision
      const id = `${rev}\u0000${e.key}`
      count++
      if (!watchWants(w.request, e.type, e.key)) fail('watch-range', `${showEvent(e)} is outside the watched range or filtered out`, rev, e.key)
      if (rev < w.request.startRevision) fail('watch-range', `${showEvent(e)} precedes the start revision ${w.request.startRevision}`, rev, e.key)
      if (rev < lastRevision) fail('watch-order', `${showEvent(e)} after an event of revision ${lastRevision}`, rev, e.key)
      if (received.has(id)) fail('watch-duplicate', `${showEvent(e)} delivered twice`, rev, e.key)
      if (j === 0 && rev === lastRevision && lastResponse < i) fail('watch-split', `revision ${rev} split across responses ${lastResponse} and ${i}`, rev, e.key)
      if (rev <= promised) fail('watch-order', `${showEvent(e)} after a response of revision ${promised} promised every event up to it`, rev, e.key)
      if (r.canceled !== true && rev > r.revision) fail('watch-order', `${showEvent(e)} in a response of revision ${r.revision}`, rev, e.key)
      checkEvent(w, e, table.events.get(rev)?.find((x) => x.key === e.key), { response: i, time: r.time }, history)
      received.add(id)
      lastRevision = rev
      lastResponse = i
      seenUpTo = Math.max(seenUpTo, rev)
    })
    // Unless canceled, a response's revision promises every event at or below it (docs/watch.md).
    if (r.canceled !== true) {
      seenUpTo = Math.max(seenUpTo, r.revision)
      promised = Math.max(promised, r.revision)
    }
  })
  return { received, seenUpTo, count }
}

/** Completeness: every event the watcher had to get between its start and the last revision it saw. */
function checkComplete(w: WatchRecord, table: RevisionTable, received: Set<string>, seenUpTo: number): number {
  let expected = 0
  for (const [revision, events] of table.events) {
    if (revision < w.request.startRevision || revision > seenUpTo) continue
    for (const e of events) {
      if (!watchWants(w.request, e.type, e.key)) continue
      expected++
      if (received.has(`${revision}\u0000${e.key}`)) continue
      // The first response at or past the revision: where the event should have been.
      const late = w.responses.findIndex((r) => r.revision >= revision || r.events.some((x) => x.kv.modRevision >= revision))
      throw new WatchViolation('watch-missing', `${e.type} ${e.key}${e.type === 'PUT' ? `=${e.value}` : ''}@${revision} never delivered, though the watch saw up to revision ${seenUpTo}`, late, revision, e.key, e.op)
    }
  }
  return expected
}

/** Are the watchers' streams right for this history? Throws InvalidArgumentError on malformed input. */
export function checkWatches(history: History, watches: readonly WatchRecord[]): WatchCheckResult {
  validateHistory(history)
  validateWatches(watches)
  const started = performance.now()
  const table = revisionTable(history, watches)
  const result = (violation?: Violation, events = 0, expected = 0): WatchCheckResult => {
    const r: WatchCheckResult = { verdict: violation === undefined ? 'valid' : 'violation', watchers: watches.length, events, expected, elapsedMs: performance.now() - started }
    if (violation !== undefined) r.violation = violation
    return r
  }
  const problem = table.problem
  if (problem !== undefined) {
    const { watcher, response } = problem.sighting
    return result(toViolation(new WatchViolation(problem.kind, problem.message, response, problem.revision, problem.sighting.event.key, -1), watcher, watches))
  }
  let events = 0
  let expected = 0
  for (const [i, w] of watches.entries()) {
    try {
      const stream = checkStream(w, table, history)
      events += stream.count
      expected += checkComplete(w, table, stream.received, stream.seenUpTo)
    } catch (err) {
      if (!(err instanceof WatchViolation)) throw err
      return result(toViolation(err, i, watches), events, expected)
    }
  }
  return result(undefined, events, expected)
}

function toViolation(v: WatchViolation, watcher: number, watches: readonly WatchRecord[]): Violation {
  const w = watches[watcher]
  const ops = v.op >= 0 ? [v.op] : []
  return {
    kind: v.kind,
    message: `watcher ${watcher} (${w?.client ?? '?'}): ${v.detail}`,
    ops,
    failing: ops,
    linearized: [],
    states: v.states,
    keys: v.key === '' ? [] : [v.key],
    watch: { watcher, responses: v.response >= 0 ? [v.response] : [], revision: v.revision },
  }
}

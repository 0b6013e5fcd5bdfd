// checkHistory: the revision checks over the whole history, then a linearization search per
// partition; on a violation, the smallest failing part with the reads that do not matter to it
// removed, so a person can see the anomaly.
import { type History, mayWrite, operationAt, type Operation, validateHistory, wrote } from './history.js'
import { KvModel, type RevisionMode } from './kv-model.js'
import { type Part, partitionByKey, wholeHistory } from './partition.js'
import { checkRevisions, RevisionSpace, type RevisionViolationKind } from './revisions.js'
import { searchLinearization, type SearchResult } from './search.js'
import type { WatchViolationKind } from './watch-history.js'

export interface CheckOptions {
  /**
   * 'key': one search per set of keys that txns tie together. 'none': one search of the whole
   * history, with exact revisions. 'auto' (default): 'key' unless some write has an unknown
   * outcome; there the whole-history search is far faster, since exact revisions let an unknown
   * write take effect only where a revision is missing (docs/linearizability.md).
   */
  partition?: 'auto' | 'key' | 'none'
  /** Give up (verdict 'timeout') after this long. Default 60 s. */
  timeoutMs?: number
  /** Time allowed for shrinking a failing part. Default 3 s; 0 turns shrinking off. */
  minimizeMs?: number
}

export interface Violation {
  kind: RevisionViolationKind | 'not-linearizable' | WatchViolationKind
  message: string
  /** The smallest failing part: indices into history.operations, in history order. */
  ops: number[]
  /** The ops to highlight: the pair that breaks revision order, or the op that could not take effect. */
  failing: number[]
  /** The longest order found in which ops of the part could take effect, before getting stuck. */
  linearized: number[]
  /** The model state(s) at the point of failure. */
  states: string[]
  keys: string[]
  /** A watch violation: the watcher (index into the watch records), its responses at fault, the revision. */
  watch?: { watcher: number; responses: number[]; revision: number }
}

export interface CheckResult {
  verdict: 'linearizable' | 'violation' | 'timeout'
  operations: number
  partitions: number
  /** Search steps over all partitions. */
  steps: number
  elapsedMs: number
  violation?: Violation
}

/** Is the history linearizable against the KV model? Throws InvalidArgumentError if it is malformed. */
export function checkHistory(history: History, options: CheckOptions = {}): CheckResult {
  validateHistory(history)
  const started = performance.now()
  const deadline = started + (options.timeoutMs ?? 60_000)
  const partition = options.partition ?? 'auto'
  const unknownWrites = history.operations.some((op) => op.outcome.status === 'unknown' && mayWrite(op.request))
  const mode: RevisionMode = partition === 'none' || (partition === 'auto' && unknownWrites) ? 'exact' : 'partition'
  const parts = mode === 'exact' ? wholeHistory(history) : partitionByKey(history)
  const base = { operations: history.operations.length, partitions: parts.length }
  const done = (verdict: CheckResult['verdict'], steps: number, violation?: Violation): CheckResult => {
    const r: CheckResult = { verdict, ...base, steps, elapsedMs: performance.now() - started }
    if (violation !== undefined) r.violation = violation
    return r
  }

  const revisionViolation = checkRevisions(history)
  if (revisionViolation !== undefined) {
    const { kind, message, ops } = revisionViolation
    return done('violation', 0, { kind, message, ops, failing: ops, linearized: [], states: [], keys: keysOfOps(history, ops) })
  }

  const revisions = new RevisionSpace(history)
  const search = (part: Part, ops: readonly number[], until: number): SearchResult => {
    const ownWrites = part.ops.flatMap((i) => {
      const o = operationAt(history, i).outcome
      return o.status === 'ok' && wrote(o.response) ? [o.response.revision] : []
    })
    const model = new KvModel(mode, history.initialRevision, part.keys, revisions, ownWrites.sort((a, b) => a - b))
    return searchLinearization(ops.map((i) => operationAt(history, i)), model, until)
  }
  let steps = 0
  let timedOut = false
  let failed: { part: Part; result: SearchResult } | undefined
  // Smallest parts first: the first failure found is then the smallest.
  for (const part of [...parts].sort((a, b) => a.ops.length - b.ops.length)) {
    const result = search(part, part.ops, deadline)
    steps += result.steps
    if (result.verdict === 'timeout') timedOut = true
    if (result.verdict === 'violation') {
      failed = { part, result }
      break
    }
  }
  if (failed === undefined) return done(timedOut ? 'timeout' : 'linearizable', steps)

  const minimizeUntil = Math.min(deadline, performance.now() + (options.minimizeMs ?? 3000))
  const ops = withoutIrrelevantReads(history, failed.part.ops, (kept) => search(failed.part, kept, minimizeUntil).verdict === 'violation', minimizeUntil)
  const final = ops.length === failed.part.ops.length ? failed.result : search(failed.part, ops, deadline)
  steps += final.steps
  const local = (i: number): number => ops[i] ?? -1
  const stuck = final.stuck === undefined ? [] : [local(final.stuck)]
  const stuckOp = stuck[0] === undefined ? undefined : history.operations[stuck[0]]
  return done('violation', steps, {
    kind: 'not-linearizable',
    message: `no order of these ${ops.length} operations on ${failed.part.keys.join(', ')} explains every response` +
      (stuckOp === undefined ? '' : `: after ${final.linearized.length} of them, ${stuckOp.client}'s operation cannot take effect before it returned`),
    ops,
    failing: stuck,
    linearized: final.linearized.map(local),
    states: final.states,
    keys: failed.part.keys,
  })
}

function keysOfOps(history: History, ops: readonly number[]): string[] {
  const keys = new Set<string>()
  for (const i of ops) {
    const r = operationAt(history, i).request
    if (r.type === 'txn') for (const o of [...r.compare, ...r.success, ...r.failure]) keys.add(o.key)
    else keys.add(r.key)
  }
  return [...keys].sort()
}

/** An acknowledged op that changed nothing: removing it only removes constraints. */
function readOnly(op: Operation): boolean {
  return op.outcome.status === 'ok' && !wrote(op.outcome.response)
}

/**
 * Drops reads while the rest still fails (delta debugging, halving chunk sizes). Dropping a read
 * never makes a linearizable history fail, so what is left still proves the violation; writes
 * stay, since without them a read could look as if it saw a value nobody wrote.
 */
function withoutIrrelevantReads(history: History, ops: readonly number[], fails: (kept: number[]) => boolean, until: number): number[] {
  const dropped = new Set<number>()
  const reads = ops.filter((i) => readOnly(operationAt(history, i)))
  for (let chunk = Math.ceil(reads.length / 2); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let start = 0; start < reads.length; start += chunk) {
      if (performance.now() > until) return ops.filter((i) => !dropped.has(i))
      const trial = reads.slice(start, start + chunk).filter((i) => !dropped.has(i))
      if (trial.length === 0) continue
      for (const i of trial) dropped.add(i)
      if (!fails(ops.filter((i) => !dropped.has(i)))) for (const i of trial) dropped.delete(i)
    }
  }
  return ops.filter((i) => !dropped.has(i))
}

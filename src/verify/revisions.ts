// Whole-history checks of the one global revision (REV1, REV2, REV9). They are what ties the
// per-key partitions back together: inside a partition the model only knows that revisions
// grow, so the checks here say that they grow across keys too, in real time, without repeats.
import { type History, mayWrite, type Operation, type Response, wrote } from './history.js'

export type RevisionViolationKind = 'duplicate-revision' | 'revision-order' | 'revision-gap' | 'revision-range'

export interface RevisionViolation {
  kind: RevisionViolationKind
  message: string
  /** The ops that show it (indices into history.operations). */
  ops: number[]
}

interface Acked {
  index: number
  op: Operation
  response: Response
}

function acked(history: History): Acked[] {
  const out: Acked[] = []
  history.operations.forEach((op, index) => {
    if (op.outcome.status === 'ok') out.push({ index, op, response: op.outcome.response })
  })
  return out
}

/** Revisions of every acknowledged write, for the model (an unknown write cannot share one). */
export function ackedWriteRevisions(history: History): Set<number> {
  return new Set(acked(history).filter((a) => wrote(a.response)).map((a) => a.response.revision))
}

/** The first violation found, or undefined. Runs in O(n log n). */
export function checkRevisions(history: History): RevisionViolation | undefined {
  const ops = acked(history)
  return checkRange(history, ops) ?? checkUnique(ops) ?? checkRealTime(ops) ?? checkGaps(history, ops)
}

function checkRange(history: History, ops: Acked[]): RevisionViolation | undefined {
  for (const a of ops) {
    const min = wrote(a.response) ? history.initialRevision + 1 : history.initialRevision
    if (a.response.revision < min) {
      return { kind: 'revision-range', message: `revision ${a.response.revision} is below ${min}, where the history starts`, ops: [a.index] }
    }
  }
  return undefined
}

/** Two acknowledged writes never get the same revision (REV2: each bumps it by one). */
function checkUnique(ops: Acked[]): RevisionViolation | undefined {
  const owner = new Map<number, Acked>()
  for (const a of ops) {
    if (!wrote(a.response)) continue
    const other = owner.get(a.response.revision)
    if (other !== undefined) {
      return { kind: 'duplicate-revision', message: `two writes were acknowledged with revision ${a.response.revision}`, ops: [other.index, a.index] }
    }
    owner.set(a.response.revision, a)
  }
  return undefined
}

/**
 * If A returned before B was invoked, B's revision is at least A's, and above it if B wrote:
 * revisions never go backwards (REV9) and a write comes after everything that finished before.
 */
function checkRealTime(ops: Acked[]): RevisionViolation | undefined {
  const byCall = [...ops].sort((x, y) => x.op.call - y.op.call)
  const byReturn = [...ops].sort((x, y) => x.op.return - y.op.return)
  let done = 0
  let highest: Acked | undefined
  for (const b of byCall) {
    for (let a = byReturn[done]; a !== undefined && a.op.return < b.op.call; a = byReturn[++done]) {
      if (highest === undefined || a.response.revision > highest.response.revision) highest = a
    }
    if (highest === undefined) continue
    const w = wrote(b.response)
    const r = b.response.revision
    const h = highest.response.revision
    if (r < h || (w && r === h)) {
      const what = w ? 'a write' : 'a read'
      return {
        kind: 'revision-order',
        message: `${what} at revision ${r} was invoked after an op at revision ${h} had returned: the revision went backwards`,
        ops: [highest.index, b.index],
      }
    }
  }
  return undefined
}

/** Every revision up to the highest one seen belongs to an acknowledged write or may belong to an unknown one. */
function checkGaps(history: History, ops: Acked[]): RevisionViolation | undefined {
  const writes = new Set(ops.filter((a) => wrote(a.response)).map((a) => a.response.revision))
  const top = ops.reduce((m, a) => Math.max(m, a.response.revision), history.initialRevision)
  const unknownWrites = history.operations.filter((op) => op.outcome.status === 'unknown' && mayWrite(op.request)).length
  const missing: number[] = []
  for (let r = history.initialRevision + 1; r <= top && missing.length <= unknownWrites; r++) {
    if (!writes.has(r)) missing.push(r)
  }
  if (missing.length <= unknownWrites) return undefined
  const first = missing[0] ?? top
  // Show the acknowledged ops on either side of the first revision nobody wrote.
  const below = ops.filter((a) => a.response.revision < first).sort((x, y) => y.response.revision - x.response.revision)[0]
  const above = ops.filter((a) => a.response.revision > first).sort((x, y) => x.response.revision - y.response.revision)[0]
  return {
    kind: 'revision-gap',
    message: `${missing.length} revisions (first ${first}) were written by no acknowledged write, and only ${unknownWrites} operations have an unknown outcome`,
    ops: [below, above].flatMap((a) => (a === undefined ? [] : [a.index])),
  }
}

/**
 * Which revisions an unknown write could have taken: none that an acknowledged write got. The
 * search uses it to place unknown writes only into gaps, which keeps it from trying every
 * pending unknown op at every step.
 */
export class RevisionSpace {
  readonly acked: ReadonlySet<number>
  // Sorted revisions above the initial one and up to `top` that no acknowledged write got.
  private readonly gaps: number[]
  /** The highest revision any acknowledged op reported; every revision above it is free. */
  readonly top: number

  constructor(history: History) {
    this.acked = ackedWriteRevisions(history)
    this.top = acked(history).reduce((m, a) => Math.max(m, a.response.revision), history.initialRevision)
    this.gaps = []
    for (let r = history.initialRevision + 1; r <= this.top; r++) if (!this.acked.has(r)) this.gaps.push(r)
  }

  /** The smallest revision above `after` that an unknown write could have taken. */
  nextGap(after: number): number {
    let lo = 0
    let hi = this.gaps.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.gaps[mid] ?? Infinity) > after) hi = mid
      else lo = mid + 1
    }
    return this.gaps[lo] ?? Math.max(after + 1, this.top + 1)
  }
}

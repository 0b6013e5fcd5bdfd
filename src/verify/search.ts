// The linearization search of Wing & Gong as improved by Lowe ("Testing for linearizability",
// 2017) and used by porcupine: walk the history's call/return events in time order; at a call,
// try to let that op take effect now; at a return of an op not yet placed, backtrack. Visited
// (set of placed ops, model state) pairs are cached, so each is explored once.
import { assert } from '../util/index.js'
import type { Operation } from './history.js'

/** A sequential specification. step() returns every state the op may lead to; none: illegal here. */
export interface Model<S> {
  readonly init: S
  step(state: S, op: Operation, index: number): S[]
  /** Equal keys mean equal states (the cache relies on it). */
  key(state: S): string
  describe(state: S): string
}

export type SearchVerdict = 'linearizable' | 'violation' | 'timeout'

export interface SearchResult {
  verdict: SearchVerdict
  /** For a violation: the longest order found in which ops could take effect (indices into ops). */
  linearized: number[]
  /** For a violation: the op whose return came before it could take effect, after `linearized`. */
  stuck: number | undefined
  /** The model states after `linearized` (several when the model was left undecided). */
  states: string[]
  /** Search steps taken (calls tried), for reports. */
  steps: number
}

// A fixed seed: cache keys, hence step counts, are reproducible.
function zobrist(count: number): Uint32Array {
  let a = 0x9e3779b9
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = (t ^ (t >>> 14)) >>> 0
  }
  return out
}

/** Events of acknowledged ops sorted by time; at equal times calls first, so equal stamps overlap. */
function eventOrder(ops: readonly Operation[]): number[] {
  const time = (e: number): number => {
    const op = ops[e >> 1]
    return op === undefined ? Infinity : e & 1 ? op.return : op.call
  }
  const events = ops.flatMap((op, i) => (op.outcome.status === 'ok' ? [2 * i, 2 * i + 1] : []))
  return events.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b)
}

// Where to go on after undoing a placement: the list after an acknowledged op's call, or the
// next unknown op that may go before the return at `limit`.
interface Frame<S> {
  op: number
  states: S[]
  unknownAt: number
  limit: number
}

/**
 * Searches for an order of `ops` consistent with their real-time order in which every
 * acknowledged op gets exactly its response from `model`. An unknown op never returns: it may
 * take effect anywhere after its call, or nowhere. The candidates at each point are Lowe's (ops
 * invoked before the first return of an op not yet placed), but unknown ops are tried only after
 * every acknowledged one failed: most never took effect, and trying them first would explore
 * every subset of them. Gives up with 'timeout' at `deadline` (a performance.now() value).
 */
export function searchLinearization<S>(ops: readonly Operation[], model: Model<S>, deadline = Infinity): SearchResult {
  const n = ops.length
  // Doubly linked list over the events of acknowledged ops (2i: call of op i, 2i+1: its return); HEAD is 2n.
  const HEAD = 2 * n
  const next = new Int32Array(2 * n + 1).fill(-1)
  const prev = new Int32Array(2 * n + 1).fill(-1)
  let tail = HEAD
  for (const e of eventOrder(ops)) {
    next[tail] = e
    prev[e] = tail
    tail = e
  }
  const unlink = (e: number): void => {
    const p = prev[e] ?? -1
    const q = next[e] ?? -1
    next[p] = q
    if (q !== -1) prev[q] = p
  }
  const relink = (e: number): void => {
    const p = prev[e] ?? -1
    const q = next[e] ?? -1
    next[p] = e
    if (q !== -1) prev[q] = e
  }
  const unknowns = ops.flatMap((op, i) => (op.outcome.status === 'ok' ? [] : [i])).sort((a, b) => (ops[a]?.call ?? 0) - (ops[b]?.call ?? 0) || a - b)

  const hashes = zobrist(2 * n)
  const placed = new Uint32Array(Math.ceil(n / 32))
  let h1 = 0
  let h2 = 0
  const flip = (i: number): void => {
    placed[i >> 5] = (placed[i >> 5] ?? 0) ^ (1 << (i & 31))
    h1 = (h1 ^ (hashes[2 * i] ?? 0)) >>> 0
    h2 = (h2 ^ (hashes[2 * i + 1] ?? 0)) >>> 0
  }
  const isPlaced = (i: number): boolean => ((placed[i >> 5] ?? 0) & (1 << (i & 31))) !== 0
  // Cache: hash of the placed set and the state keys -> the placed sets seen with them.
  const cache = new Map<string, Uint32Array[]>()
  const remember = (stateKey: string): boolean => {
    const k = `${h1}:${h2}|${stateKey}`
    const seen = cache.get(k)
    if (seen === undefined) {
      cache.set(k, [placed.slice()])
      return true
    }
    if (seen.some((s) => s.every((w, j) => w === placed[j]))) return false
    seen.push(placed.slice())
    return true
  }
  /** Places op i if it can go next and the result is new; true if it did. */
  const tryPlace = (i: number, op: Operation, unknownAt: number, limit: number): boolean => {
    const after = stepAll(model, states, op, i)
    if (after.length === 0) return false
    flip(i)
    if (!remember(setKey(model, after))) {
      flip(i)
      return false
    }
    stack.push({ op: i, states, unknownAt, limit })
    states = after
    return true
  }

  let okLeft = n - unknowns.length
  let states: S[] = [model.init]
  const stack: Array<Frame<S>> = []
  let best: { linearized: number[]; stuck: number; states: S[] } | undefined
  let steps = 0
  let entry = next[HEAD] ?? -1
  // -1 while walking the list; else the next unknown op to try before the return at `limit`.
  let unknownAt = -1
  let limit = 0

  while (okLeft > 0) {
    if ((++steps & 0xfff) === 0 && performance.now() > deadline) return result('timeout')
    if (unknownAt === -1) {
      // Every acknowledged op not yet placed still has its return event ahead of the cursor.
      assert(entry !== -1, 'verify: search ran off the event list with acknowledged ops left')
      const i = entry >> 1
      const op = ops[i]
      assert(op !== undefined, 'verify: an event names an op of the history')
      if ((entry & 1) === 0) {
        if (tryPlace(i, op, -1, 0)) {
          unlink(2 * i)
          unlink(2 * i + 1)
          okLeft--
          entry = next[HEAD] ?? -1
        } else {
          entry = next[entry] ?? -1
        }
        continue
      }
      // The return of an op not yet placed: an unknown op might still help, else undo.
      if (best === undefined || stack.length > best.linearized.length) best = { linearized: stack.map((f) => f.op), stuck: i, states }
      unknownAt = 0
      limit = op.return
      continue
    }
    const u = unknowns[unknownAt]
    const uop = u === undefined ? undefined : ops[u]
    if (u !== undefined && uop !== undefined && uop.call <= limit) {
      if (!isPlaced(u) && tryPlace(u, uop, unknownAt, limit)) {
        unknownAt = -1
        entry = next[HEAD] ?? -1
      } else {
        unknownAt++
      }
      continue
    }
    const top = stack.pop()
    if (top === undefined) return result('violation')
    states = top.states
    flip(top.op)
    if (top.unknownAt === -1) {
      relink(2 * top.op + 1)
      relink(2 * top.op)
      okLeft++
      unknownAt = -1
      entry = next[2 * top.op] ?? -1
    } else {
      unknownAt = top.unknownAt + 1
      limit = top.limit
    }
  }
  return result('linearizable')

  function result(verdict: SearchVerdict): SearchResult {
    if (verdict !== 'violation') return { verdict, linearized: [], stuck: undefined, states: [], steps }
    return {
      verdict,
      linearized: best?.linearized ?? [],
      stuck: best?.stuck,
      states: (best?.states ?? []).map((s) => model.describe(s)),
      steps,
    }
  }
}

/** The power-set step: every state any current state may lead to, without duplicates. */
function stepAll<S>(model: Model<S>, states: readonly S[], op: Operation, index: number): S[] {
  if (states.length === 1 && states[0] !== undefined) return model.step(states[0], op, index)
  const out = new Map<string, S>()
  for (const s of states) for (const t of model.step(s, op, index)) out.set(model.key(t), t)
  return [...out.values()]
}

/** One key for a set of states, whatever order they were found in. */
function setKey<S>(model: Model<S>, states: readonly S[]): string {
  if (states.length === 1 && states[0] !== undefined) return model.key(states[0])
  return states.map((s) => model.key(s)).sort().join('\n')
}

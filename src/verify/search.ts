// The linearization search of Wing & Gong as improved by Lowe ("Testing for linearizability",
// 2017) and used by porcupine: walk the history's call/return events in time order; at a call,
// try to let that op take effect now; at a return of an op not yet placed, backtrack. Visited
// (set of placed ops, model state) pairs are cached, so each is explored once.
import { assert } from '../util/index.js'
import type { Operation } from './history.js'
import { EventList, PlacedSet } from './search-state.js'

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
  const events = new EventList(ops)
  const unknowns = ops.flatMap((op, i) => (op.outcome.status === 'ok' ? [] : [i])).sort((a, b) => (ops[a]?.call ?? 0) - (ops[b]?.call ?? 0) || a - b)
  const placed = new PlacedSet(n)
  /** Places op i if it can go next and the result is new; true if it did. */
  const tryPlace = (i: number, op: Operation, unknownAt: number, limit: number): boolean => {
    const after = stepAll(model, states, op, i)
    if (after.length === 0) return false
    placed.flip(i)
    if (!placed.remember(setKey(model, after))) {
      placed.flip(i)
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
  let entry = events.after(events.head)
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
          events.remove(i)
          okLeft--
          entry = events.after(events.head)
        } else {
          entry = events.after(entry)
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
      if (!placed.has(u) && tryPlace(u, uop, unknownAt, limit)) {
        unknownAt = -1
        entry = events.after(events.head)
      } else {
        unknownAt++
      }
      continue
    }
    const top = stack.pop()
    if (top === undefined) return result('violation')
    states = top.states
    placed.flip(top.op)
    if (top.unknownAt === -1) {
      events.restore(top.op)
      okLeft++
      unknownAt = -1
      entry = events.after(2 * top.op)
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

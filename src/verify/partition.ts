// P-compositionality (Herlihy & Wing): a history is linearizable iff each of its projections on
// independent objects is. Here an object is a set of keys that txns tie together: a txn that
// compares one key and writes another joins their partitions. The global revision also ties
// keys; the partition model handles it by only asking that revisions grow (kv-model.ts), and
// revisions.ts checks the revision order across the whole history.
import { type History, keysOf, mayWrite, operationAt } from './history.js'

export interface Part {
  /** Sorted. */
  keys: string[]
  /** Indices into history.operations, in history order. */
  ops: number[]
}

/** Reads whose outcome is unknown constrain nothing: leave them out of every part. */
function relevant(history: History): number[] {
  return history.operations.flatMap((op, i) => (op.outcome.status === 'unknown' && !mayWrite(op.request) ? [] : [i]))
}

/** The whole history as one part (no partitioning). */
export function wholeHistory(history: History): Part[] {
  const ops = relevant(history)
  const keys = new Set(ops.flatMap((i) => keysOf(operationAt(history, i).request)))
  return ops.length === 0 ? [] : [{ keys: [...keys].sort(), ops }]
}

/** One part per connected set of keys, by union-find over the keys of each operation. */
export function partitionByKey(history: History): Part[] {
  const parent = new Map<string, string>()
  const find = (k: string): string => {
    let root = k
    for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p
    // Path compression: point every key on the way straight at the root.
    for (let x = k; x !== root; ) {
      const p = parent.get(x) ?? root
      parent.set(x, root)
      x = p
    }
    return root
  }
  const ops = relevant(history)
  for (const i of ops) {
    const [first, ...rest] = keysOf(operationAt(history, i).request)
    if (first === undefined) continue
    if (!parent.has(first)) parent.set(first, first)
    for (const k of rest) {
      if (!parent.has(k)) parent.set(k, k)
      parent.set(find(k), find(first))
    }
  }
  const parts = new Map<string, Part>()
  for (const i of ops) {
    const [first] = keysOf(operationAt(history, i).request)
    if (first === undefined) continue
    const root = find(first)
    let part = parts.get(root)
    if (part === undefined) {
      part = { keys: [], ops: [] }
      parts.set(root, part)
    }
    part.ops.push(i)
  }
  for (const k of parent.keys()) parts.get(find(k))?.keys.push(k)
  for (const p of parts.values()) p.keys.sort()
  return [...parts.values()]
}

// T6: within one txn tree, a key may be put at most once and never inside a range the tree
// deletes, wherever the two ops sit, unless they are in the two branches (then / else) of one
// txn, which exclude each other. Checked on the request alone, before anything runs.
//
// etcd's checkIntervals (v3rpc/key.go) checks a nested txn's puts only against deletes that come
// before it, so a put in one nested txn and a delete of the same key in a later sibling slip
// through and both apply at one revision. In this log a key has at most one row per revision, so
// etchlog refuses that txn too (README: differences from etcd).
import { DuplicateKeyError, describeKey } from '../util/index.js'
import type { Interval } from './log.js'
import type { NOp, NTxn } from './request.js'

function contains(interval: Interval, key: Buffer): boolean {
  if ('point' in interval) return interval.point.equals(key)
  return Buffer.compare(interval.start, key) <= 0 && (interval.end === null || Buffer.compare(key, interval.end) < 0)
}

interface Writes {
  // Keys put (hex), and ranges deleted, by one group of ops that may all run together.
  puts: Set<string>
  dels: Interval[]
}

function refuse(hexKey: string): never {
  throw new DuplicateKeyError(describeKey(Buffer.from(hexKey, 'hex')))
}

/** Two groups that may both run must not put the same key, nor put what the other deletes. */
function checkApart(a: Writes, b: Writes): void {
  for (const k of a.puts) {
    if (b.puts.has(k)) refuse(k)
    if (b.dels.some((d) => contains(d, Buffer.from(k, 'hex')))) refuse(k)
  }
  for (const k of b.puts) if (a.dels.some((d) => contains(d, Buffer.from(k, 'hex')))) refuse(k)
}

/** Checks one branch (a list of ops that all run) and returns everything it may write. */
function checkBranch(ops: readonly NOp[], seen: Map<NTxn, Writes>): Writes {
  // This level's own ops form one group; each nested txn forms another (its two branches merged:
  // they never both run, so they are not checked against each other).
  const level: Writes = { puts: new Set(), dels: [] }
  const groups: Writes[] = []
  for (const op of ops) {
    if (op.kind === 'deleteRange') level.dels.push(op.deleteRange.interval)
    else if (op.kind === 'put') {
      const k = op.put.key.toString('hex')
      if (level.puts.has(k)) refuse(k)
      level.puts.add(k)
    } else if (op.kind === 'txn') {
      groups.push(nested(op.txn, seen))
    }
  }
  for (const k of level.puts) if (level.dels.some((d) => contains(d, Buffer.from(k, 'hex')))) refuse(k)
  const all = [level, ...groups]
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) checkApart(all[i] as Writes, all[j] as Writes)
  }
  return { puts: new Set(all.flatMap((g) => [...g.puts])), dels: [...new Set(all.flatMap((g) => g.dels))] }
}

/** What a nested txn may write (its two branches merged), checked once however often it is referenced. */
function nested(txn: NTxn, seen: Map<NTxn, Writes>): Writes {
  const known = seen.get(txn)
  if (known !== undefined) return known
  const then = checkBranch(txn.success, seen)
  const otherwise = checkBranch(txn.failure, seen)
  // dels are deduplicated by identity: a shared nested txn brings the same intervals along each
  // path, and without it they would double at every level of sharing.
  const writes = { puts: new Set([...then.puts, ...otherwise.puts]), dels: [...new Set([...then.dels, ...otherwise.dels])] }
  seen.set(txn, writes)
  return writes
}

/** A branch of at most one put or delete cannot break T6: the usual compare-and-swap, checked for free. */
function single(ops: readonly NOp[]): boolean {
  return ops.length === 0 || (ops.length === 1 && (ops[0] as NOp).kind !== 'txn')
}

/** Throws DuplicateKeyError if either branch of the txn breaks T6. */
export function checkTxnKeys(success: readonly NOp[], failure: readonly NOp[]): void {
  if (single(success) && single(failure)) return
  const seen = new Map<NTxn, Writes>()
  checkBranch(success, seen)
  checkBranch(failure, seen)
}

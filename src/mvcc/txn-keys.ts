// T6: within one txn tree, a key may be put at most once and never inside a range the tree
// deletes. The two branches of one nested txn exclude each other, so each may put the same key.
// Same rules, and the same order of checks, as etcd's checkIntervals (v3rpc/key.go).
import { DuplicateKeyError, describeKey } from '../util/index.js'
import type { Interval } from './log.js'
import type { NOp } from './request.js'

function contains(interval: Interval, key: Buffer): boolean {
  if ('point' in interval) return interval.point.equals(key)
  return Buffer.compare(interval.start, key) <= 0 && (interval.end === null || Buffer.compare(key, interval.end) < 0)
}

function deleted(dels: readonly Interval[], key: Buffer): boolean {
  return dels.some((d) => contains(d, key))
}

interface Keys {
  // Hex of every key put in this subtree.
  puts: Set<string>
  dels: Interval[]
}

function check(ops: readonly NOp[]): Keys {
  const dels: Interval[] = []
  for (const op of ops) if (op.kind === 'deleteRange') dels.push(op.deleteRange.interval)
  const puts = new Set<string>()
  const refuse = (key: string): never => {
    throw new DuplicateKeyError(describeKey(Buffer.from(key, 'hex')))
  }
  for (const op of ops) {
    if (op.kind !== 'txn') continue
    const then = check(op.txn.success)
    const otherwise = check(op.txn.failure)
    for (const k of then.puts) {
      if (puts.has(k) || deleted(dels, Buffer.from(k, 'hex'))) refuse(k)
      puts.add(k)
    }
    for (const k of otherwise.puts) {
      if (puts.has(k) && !then.puts.has(k)) refuse(k)
      if (deleted(dels, Buffer.from(k, 'hex'))) refuse(k)
      puts.add(k)
    }
    dels.push(...then.dels, ...otherwise.dels)
  }
  for (const op of ops) {
    if (op.kind !== 'put') continue
    const k = op.put.key.toString('hex')
    if (puts.has(k) || deleted(dels, op.put.key)) refuse(k)
    puts.add(k)
  }
  return { puts, dels }
}

/** Throws DuplicateKeyError if either branch of the txn breaks T6. */
export function checkTxnKeys(success: readonly NOp[], failure: readonly NOp[]): void {
  check(success)
  check(failure)
}

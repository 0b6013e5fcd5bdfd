// etcd 3.4 rules the differential tests need to predict or explain a known difference, ported
// from etcd v3.4.23 (etcdserver/api/v3rpc/key.go checkIntervals, etcdserver/apply.go).
import type { BytesLike, RequestOp, TxnRequest } from '../../src/index.js'
import { prefixEnd } from '../support/etcd-client.js'

const bytes = (v: BytesLike | undefined): Buffer =>
  v === undefined ? Buffer.alloc(0) : typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v)

/** [start, end) in byte order; end null = +infinity. */
interface Interval { start: Buffer; end: Buffer | null }

function hits(iv: Interval, key: Buffer): boolean {
  return Buffer.compare(iv.start, key) <= 0 && (iv.end === null || Buffer.compare(key, iv.end) < 0)
}

/**
 * etcd's interval for a delete, as checkIntervals builds it: a point without range end, else
 * [key, range_end) taken literally — so a range end of "\0" (every key >= key) is the empty
 * interval there, unless `zeroEndIsInfinite` asks for the meaning the delete itself has.
 */
function deleteInterval(op: Extract<RequestOp, { deleteRange: unknown }>['deleteRange'], zeroEndIsInfinite: boolean): Interval {
  const key = bytes(op.key)
  const end = op.prefix === true ? prefixEnd(key) : bytes(op.rangeEnd)
  if (end.length === 0) return { start: key, end: Buffer.concat([key, Buffer.from([0])]) }
  if (end.length === 1 && end[0] === 0) return zeroEndIsInfinite ? { start: key, end: null } : { start: key, end: Buffer.alloc(0) }
  return { start: key, end }
}

class Duplicate extends Error {}

/** checkIntervals of etcd 3.4: returns the keys the ops put and the ranges they delete, or throws Duplicate. */
function checkIntervals(reqs: readonly RequestOp[], zeroEndIsInfinite: boolean): { puts: Set<string>; dels: Interval[] } {
  // This level's deletes first, so puts of nested txns are checked against them.
  const dels: Interval[] = []
  for (const r of reqs) if ('deleteRange' in r) dels.push(deleteInterval(r.deleteRange, zeroEndIsInfinite))
  const hitsDel = (k: string): boolean => dels.some((d) => hits(d, Buffer.from(k, 'hex')))
  const puts = new Set<string>()
  for (const r of reqs) {
    if (!('txn' in r)) continue
    const then = checkIntervals(r.txn.success ?? [], zeroEndIsInfinite)
    const otherwise = checkIntervals(r.txn.failure ?? [], zeroEndIsInfinite)
    for (const k of then.puts) {
      if (puts.has(k) || hitsDel(k)) throw new Duplicate()
      puts.add(k)
    }
    for (const k of otherwise.puts) {
      if (puts.has(k) && !then.puts.has(k)) throw new Duplicate()
      if (hitsDel(k)) throw new Duplicate()
      puts.add(k)
    }
    // Only now do the nested deletes join: a later sibling's deletes are never checked against
    // the puts of the nested txns before it (the README row on duplicate keys).
    dels.push(...then.dels, ...otherwise.dels)
  }
  for (const r of reqs) {
    if (!('put' in r)) continue
    const k = bytes(r.put.key).toString('hex')
    if (puts.has(k) || hitsDel(k)) throw new Duplicate()
    puts.add(k)
  }
  return { puts, dels }
}

/** Whether etcd 3.4's duplicate-key check refuses the txn (zeroEndIsInfinite: with "\0" ends read as etcd reads them everywhere else). */
export function etcdRefusesDuplicate(t: TxnRequest, zeroEndIsInfinite = false): boolean {
  try {
    checkIntervals(t.success ?? [], zeroEndIsInfinite)
    checkIntervals(t.failure ?? [], zeroEndIsInfinite)
    return false
  } catch (err) {
    if (err instanceof Duplicate) return true
    throw err
  }
}

/** Every range op anywhere in the txn tree. */
export function rangesOf(t: TxnRequest): Array<Extract<RequestOp, { range: unknown }>['range']> {
  return [...(t.success ?? []), ...(t.failure ?? [])].flatMap((op) => ('range' in op ? [op.range] : 'txn' in op ? rangesOf(op.txn) : []))
}

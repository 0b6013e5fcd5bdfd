// Generators for the model-based test (test/mvcc/model.test.ts): keys with edge bytes, values,
// ranges, puts, deletes, compares, valid and deliberately invalid txns. A generated request is a
// function of the model, so revisions and lease IDs land near what exists when the command runs.
import fc from 'fast-check'
import type { BytesLike, Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from '../../src/index.js'
import { txnOpsMax, type ModelStore } from './model-store.js'

export interface Model { model: ModelStore; granted: number[] }
/** A request resolved against the model when the command runs, so revisions land near the live window. */
export type Gen<T> = (m: Model) => T

// ---- arbitraries ---------------------------------------------------------------------------------

export const b = (...xs: number[]): Buffer => Buffer.from(xs)
/** Edge keys: "\0", 0xff, a key and its "\0"/0xff extensions, prefix boundaries, all-0xff. */
export const keys: readonly Buffer[] = [b(0), b(0xff), b(0x61), b(0x61, 0), b(0x61, 0xff), b(0x61, 0x62), b(0x62), b(0x62, 0), b(0xff, 0xff)]
export const keyArb = fc.constantFrom(...keys).map((k) => Buffer.from(k))
export const valueArb = fc.uint8Array({ maxLength: 3, max: 3 }).map((v) => Buffer.from(v))
export type End = { rangeEnd?: BytesLike; prefix?: boolean }
/** Point (most often), [key, other), >= key ("\0"), an empty end (point), or prefix. */
export const endArb: fc.Arbitrary<End> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: keyArb.map((e) => ({ rangeEnd: e })) },
  { weight: 2, arbitrary: fc.constant({ rangeEnd: b(0) }) },
  { weight: 1, arbitrary: fc.constant({ rangeEnd: b() }) },
  { weight: 2, arbitrary: fc.constant({ prefix: true }) },
)
export const revArb: fc.Arbitrary<Gen<number>> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 0, -1).map((v) => () => v) },
  { weight: 2, arbitrary: fc.integer({ min: -4, max: 1 }).map((d) => (m: Model) => m.model.revision + d) },
  { weight: 1, arbitrary: fc.integer({ min: -1, max: 1 }).map((d) => (m: Model) => m.model.compactRevision + d) },
)
/** A min/max filter: mostly unset, else a revision in the recent past. */
export const filterArb: fc.Arbitrary<Gen<number>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(() => 0) },
  { weight: 1, arbitrary: fc.integer({ min: -6, max: 0 }).map((d) => (m: Model) => Math.max(0, m.model.revision + d)) },
)
/** A lease ID: one granted at some point (maybe revoked since), or one never granted. */
export const leaseRefArb: fc.Arbitrary<Gen<number>> = fc.nat(7).map((i) => (m: Model) => {
  const ids = [...m.granted, 4242]
  return ids[i % ids.length] ?? 4242
})

/** Range starts lean to low keys so that scans see several keys. */
export const startArb = fc.oneof({ weight: 2, arbitrary: keyArb }, { weight: 1, arbitrary: fc.constantFrom(b(0), b(0x61)) })
export const rangeArb: fc.Arbitrary<Gen<RangeRequest>> = fc
  .record({
    key: startArb,
    end: endArb,
    revision: revArb,
    limit: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 })),
    countOnly: fc.constantFrom(false, false, false, true),
    keysOnly: fc.boolean(),
    sortOrder: fc.option(fc.constantFrom('NONE', 'ASCEND', 'DESCEND') as fc.Arbitrary<RangeRequest['sortOrder']>, { nil: undefined }),
    sortTarget: fc.option(fc.constantFrom('KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE') as fc.Arbitrary<RangeRequest['sortTarget']>, { nil: undefined }),
    filters: fc.tuple(filterArb, filterArb, filterArb, filterArb),
  })
  .map((x) => (m: Model): RangeRequest => ({
    key: x.key,
    ...x.end,
    revision: x.revision(m),
    limit: x.limit,
    countOnly: x.countOnly,
    keysOnly: x.keysOnly,
    sortOrder: x.sortOrder,
    sortTarget: x.sortTarget,
    minModRevision: x.filters[0](m),
    maxModRevision: x.filters[1](m),
    minCreateRevision: x.filters[2](m),
    maxCreateRevision: x.filters[3](m),
  }))

export const putArb: fc.Arbitrary<Gen<PutRequest>> = fc
  .record({
    key: keyArb,
    value: valueArb,
    lease: fc.oneof({ weight: 4, arbitrary: fc.constant(() => 0) }, { weight: 1, arbitrary: leaseRefArb }),
    prevKv: fc.boolean(),
    ignore: fc.oneof({ weight: 12, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom('value', 'lease', 'both') }),
  })
  .map((x) => (m: Model): PutRequest => {
    const ignoreValue = x.ignore === 'value' || x.ignore === 'both'
    const ignoreLease = x.ignore === 'lease' || x.ignore === 'both'
    // An ignore flag usually comes without the thing it ignores; sometimes with it (invalid, P3/P4).
    const value = ignoreValue && x.value.length !== 1 ? b() : x.value
    const lease = ignoreLease && !x.prevKv ? 0 : x.lease(m)
    return { key: x.key, value, lease, prevKv: x.prevKv, ignoreValue, ignoreLease }
  })

export const deleteArb: fc.Arbitrary<Gen<DeleteRangeRequest>> = fc
  .record({ key: keyArb, end: endArb, prevKv: fc.boolean() })
  .map((x) => () => ({ key: x.key, ...x.end, prevKv: x.prevKv }))

export const compareArb: fc.Arbitrary<Gen<Compare>> = fc
  .record({
    key: startArb,
    end: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: keyArb }, { weight: 1, arbitrary: fc.constant(b(0)) }),
    target: fc.constantFrom('VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE') as fc.Arbitrary<Compare['target']>,
    result: fc.constantFrom('EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS') as fc.Arbitrary<Compare['result']>,
    value: valueArb,
    small: fc.integer({ min: 0, max: 3 }),
    rev: fc.integer({ min: -3, max: 0 }),
    lease: leaseRefArb,
  })
  .map((x) => (m: Model): Compare => {
    const number =
      x.target === 'LEASE' ? (x.small === 0 ? 0 : x.lease(m)) : x.target === 'VERSION' ? x.small : x.small === 0 ? 0 : m.model.revision + x.rev
    return { key: x.key, rangeEnd: x.end, target: x.target, result: x.result, value: x.target === 'VALUE' ? x.value : number }
  })

export const leafOpArb: fc.Arbitrary<Gen<RequestOp>> = fc.oneof(
  rangeArb.map((g) => (m: Model): RequestOp => ({ range: g(m) })),
  putArb.map((g) => (m: Model): RequestOp => ({ put: g(m) })),
  deleteArb.map((g) => (m: Model): RequestOp => ({ deleteRange: g(m) })),
)
export const all = <T>(gs: Array<Gen<T>>) => (m: Model): T[] => gs.map((g) => g(m))
export const txnOf = (compare: fc.Arbitrary<Array<Gen<Compare>>>, op: fc.Arbitrary<Gen<RequestOp>>, n: number): fc.Arbitrary<Gen<TxnRequest>> =>
  fc
    .record({ compare, success: fc.array(op, { maxLength: n }), failure: fc.array(op, { maxLength: n - 1 }) })
    .map((x) => (m: Model): TxnRequest => ({ compare: all(x.compare)(m), success: all(x.success)(m), failure: all(x.failure)(m) }))
export const nestedArb = txnOf(fc.array(compareArb, { maxLength: 2 }), leafOpArb, 3)
export const opArb: fc.Arbitrary<Gen<RequestOp>> = fc.oneof(
  { weight: 4, arbitrary: leafOpArb },
  { weight: 1, arbitrary: nestedArb.map((g) => (m: Model): RequestOp => ({ txn: g(m) })) },
)
export const validTxnArb = txnOf(fc.array(compareArb, { maxLength: 3 }), opArb, 4)

/** Deliberately invalid ops: each breaks one rule; they join otherwise random txns. */
export const badOps: Array<Gen<RequestOp>> = [
  () => ({ range: { key: b() } }),
  () => ({ range: { key: b(0x61), sortOrder: 'SIDEWAYS' as RangeRequest['sortOrder'] } }),
  () => ({ deleteRange: { key: b(0x61), rangeEnd: b(0x62), prefix: true } }),
  () => ({ put: { key: b(0x61), value: b(1), ignoreValue: true } }),
  () => ({ put: { key: b(0x61), lease: 7, ignoreLease: true } }),
  () => ({ txn: { compare: [{ key: b(0x61), target: 'VALUE', result: 'EQUAL', value: 1 }] } }),
  () => ({ txn: { compare: [{ key: b(0x61), target: 'MOD', result: 'EQUAL', value: b(1) }] } }),
]
export const manyCompares = (n: number): Compare[] => Array.from({ length: n }, () => ({ key: b(0x61), target: 'VERSION', result: 'GREATER', value: -1 }))
export const invalidTxnArb: fc.Arbitrary<Gen<TxnRequest>> = fc.oneof(
  fc.tuple(fc.nat(badOps.length - 1), validTxnArb, fc.boolean()).map(([i, g, inFailure]) => (m: Model): TxnRequest => {
    const t = g(m)
    const bad = (badOps[i] ?? (() => ({ range: { key: b() } })))(m)
    return inFailure ? { ...t, failure: [bad, ...(t.failure ?? [])] } : { ...t, success: [...(t.success ?? []), bad] }
  }),
  // T7: 128 compares pass, 129 do not; under a parent of 64 ops a nested txn may have 64.
  fc.constantFrom(txnOpsMax, txnOpsMax + 1).map((n) => () => ({ compare: manyCompares(n) })),
  fc.constantFrom(64, 65).map((n) => () => ({
    success: [...Array.from({ length: 63 }, () => ({ range: { key: b(0x61) } })), { txn: { compare: manyCompares(n) } }],
  })),
)
/** A write, then a nested txn comparing the key just written: nested compares see the start state. */
export const writeThenCompareArb: fc.Arbitrary<Gen<TxnRequest>> = fc
  .tuple(fc.boolean(), putArb, deleteArb, compareArb, rangeArb)
  .map(([isPut, put, del, compare, read]) => (m: Model): TxnRequest => {
    const p = put(m)
    const d = del(m)
    const c = { ...compare(m), key: isPut ? p.key : d.key, rangeEnd: undefined }
    const nested: TxnRequest = { compare: [c], success: [{ range: read(m) }], failure: [{ range: { key: b(0), rangeEnd: b(0) } }] }
    return { success: [isPut ? { put: p } : { deleteRange: d }, { txn: nested }] }
  })
export const txnArb = fc.oneof(
  { weight: 6, arbitrary: validTxnArb },
  { weight: 1, arbitrary: writeThenCompareArb },
  { weight: 1, arbitrary: invalidTxnArb },
)

// Random steps for the differential test, built on the model test's generators
// (test/support/model-arbitraries.ts). A step is a function of the current revision, compaction
// revision and granted leases, so revisions land near the live window and lease IDs exist.
import fc from 'fast-check'
import type { Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from '../../src/index.js'
import type { ModelStore } from '../support/model-store.js'
import {
  b,
  deleteArb,
  leaseRefArb,
  manyCompares,
  putArb,
  rangeArb,
  validTxnArb,
  writeThenCompareArb,
  type Gen,
  type Model,
} from '../support/model-arbitraries.js'

export type Step =
  | { kind: 'put'; req: PutRequest }
  | { kind: 'range'; req: RangeRequest }
  | { kind: 'delete'; req: DeleteRangeRequest }
  | { kind: 'txn'; req: TxnRequest }
  | { kind: 'compact'; revision: number; physical: boolean }
  /** id 0: the server picks. shortTtl: revoked again at once, before it could expire. */
  | { kind: 'grant'; ttl: number; id: number; shortTtl: boolean }
  | { kind: 'revoke'; id: number }
  | { kind: 'keepAlive'; id: number }
  | { kind: 'timeToLive'; id: number; keys: boolean }
  | { kind: 'leases' }

export interface Context {
  revision: number
  compactRevision: number
  /** etchlog IDs of every lease granted so far (revoked ones too). */
  granted: number[]
  /** The subset the servers picked: their etcd and etchlog IDs differ and are unordered. */
  picked: Set<number>
}

/** The model generators only read revision, compactRevision and granted. */
const asModel = (c: Context): Model => ({
  model: { revision: c.revision, compactRevision: c.compactRevision } as unknown as ModelStore,
  granted: c.granted,
})

/** Ops that break one request rule each; etcd and etchlog must refuse them alike. */
const badOps: Array<() => RequestOp> = [
  () => ({ range: { key: b() } }),
  () => ({ put: { key: b(), value: b(1) } }),
  () => ({ deleteRange: { key: b() } }),
  () => ({ put: { key: b(0x61), value: b(1), ignoreValue: true } }),
  () => ({ put: { key: b(0x61), lease: 7, ignoreLease: true } }),
  () => ({ txn: { compare: [{ key: b(), target: 'MOD', result: 'EQUAL', value: 0 }] } }),
]

const invalidTxnArb: fc.Arbitrary<Gen<TxnRequest>> = fc.oneof(
  fc.tuple(fc.nat(badOps.length - 1), validTxnArb, fc.boolean()).map(([i, g, inFailure]) => (m: Model): TxnRequest => {
    const t = g(m)
    const bad = (badOps[i] ?? (() => ({ range: { key: b() } })))()
    return inFailure ? { ...t, failure: [bad, ...(t.failure ?? [])] } : { ...t, success: [...(t.success ?? []), bad] }
  }),
  fc.constantFrom(128, 129).map((n) => () => ({ compare: manyCompares(n) })),
  fc.constantFrom(64, 65).map((n) => () => ({
    success: [...Array.from({ length: 63 }, () => ({ range: { key: b(0x61) } })), { txn: { compare: manyCompares(n) } }],
  })),
  fc.constant(() => ({ compare: [{ key: b(), target: 'VERSION', result: 'EQUAL', value: 0 } satisfies Compare] })),
)

/** keysOnly strips the values a VALUE sort orders by, so ties could not be told apart. */
function sortable(r: RangeRequest): RangeRequest {
  return r.sortTarget === 'VALUE' ? { ...r, keysOnly: false } : r
}

function sortableOps(ops: RequestOp[] | undefined, c: Context): RequestOp[] | undefined {
  return ops?.map((op) => ('range' in op ? { range: sortable(op.range) } : 'txn' in op ? { txn: fixTxn(op.txn, c) } : op))
}

/**
 * LEASE compares ordered (GREATER/LESS) against a server-picked ID would compare unrelated
 * random numbers on the two sides; those become EQUAL, which both sides decide alike.
 */
function fixTxn(t: TxnRequest, c: Context): TxnRequest {
  const compare = t.compare?.map((x) =>
    x.target === 'LEASE' && typeof x.value === 'number' && c.picked.has(x.value) && (x.result === 'GREATER' || x.result === 'LESS')
      ? { ...x, result: 'EQUAL' as const }
      : x,
  )
  return { compare, success: sortableOps(t.success, c), failure: sortableOps(t.failure, c) }
}

const leaseRef = leaseRefArb.map((g) => (c: Context) => g(asModel(c)))

export const stepArb: fc.Arbitrary<(c: Context) => Step> = fc.oneof(
  { weight: 6, arbitrary: putArb.map((g) => (c: Context): Step => ({ kind: 'put', req: g(asModel(c)) })) },
  { weight: 6, arbitrary: rangeArb.map((g) => (c: Context): Step => ({ kind: 'range', req: sortable(g(asModel(c))) })) },
  { weight: 2, arbitrary: deleteArb.map((g) => (c: Context): Step => ({ kind: 'delete', req: g(asModel(c)) })) },
  {
    weight: 6,
    arbitrary: fc
      .oneof({ weight: 6, arbitrary: validTxnArb }, { weight: 1, arbitrary: writeThenCompareArb }, { weight: 1, arbitrary: invalidTxnArb })
      .map((g) => (c: Context): Step => ({ kind: 'txn', req: fixTxn(g(asModel(c)), c) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, -2, -3) }), fc.boolean())
      .map(([d, physical]) => (c: Context): Step => {
        // d >= 0: d below the current revision; -1: one above it; -2: at the compaction point; -3: below it.
        const revision = d >= 0 ? Math.max(1, c.revision - d) : d === -1 ? c.revision + 1 : d === -2 ? c.compactRevision : c.compactRevision - 1
        return { kind: 'compact', revision, physical }
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        id: fc.oneof(fc.constant(0), fc.integer({ min: 101, max: 106 })),
        ttl: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(600, 3600) }, { weight: 2, arbitrary: fc.constantFrom(-1, 0, 1, 2) }, { weight: 1, arbitrary: fc.constant(9_000_000_001) }),
      })
      .map(({ id, ttl }) => (): Step => ({ kind: 'grant', ttl, id, shortTtl: ttl <= 2 })),
  },
  { weight: 1, arbitrary: leaseRef.map((g) => (c: Context): Step => ({ kind: 'revoke', id: g(c) })) },
  { weight: 1, arbitrary: leaseRef.map((g) => (c: Context): Step => ({ kind: 'keepAlive', id: g(c) })) },
  { weight: 1, arbitrary: fc.tuple(leaseRef, fc.boolean()).map(([g, keys]) => (c: Context): Step => ({ kind: 'timeToLive', id: g(c), keys })) },
  { weight: 1, arbitrary: fc.constant((): Step => ({ kind: 'leases' })) },
)

// Model-based test: fc.commands drives the real store and test/support/model-store.ts with the
// same random commands (KV, txn, compaction, leases, clock, reopen) and compares every answer,
// error and revision. ETCHLOG_MODEL_RUNS scales the run count; ETCHLOG_MODEL_SEED replays a seed.
// Store bugs it found are pinned by named regression tests at the end.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  type BytesLike,
  type Compare,
  type DeleteRangeRequest,
  DuplicateKeyError,
  FakeClock,
  openStore,
  type PutRequest,
  type RangeRequest,
  type RequestOp,
  StorageError,
  type Store,
  type TxnRequest,
} from '../../src/index.js'
import { ModelStore, txnOpsMax } from '../support/model-store.js'
import { tempDir, tempStore } from '../support/temp-store.js'

interface Model { model: ModelStore; granted: number[] }
interface Real { store: Store; clock: FakeClock; path: string }
/** A request resolved against the model when the command runs, so revisions land near the live window. */
type Gen<T> = (m: Model) => T

// ---- answers -------------------------------------------------------------------------------------

/** Bytes become hex, undefined fields vanish, so deepEqual compares every field exactly. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`
  if (Array.isArray(v)) return v.map(plain)
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, plain(x)]))
  }
  return v
}

const show = (v: unknown): string => JSON.stringify(plain(v))

async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: plain(await call()) }
  } catch (err) {
    // Only operating errors are answers; anything else (an AssertionError, a model bug) fails the run.
    if (!(err instanceof StorageError)) throw err
    return { error: err.constructor.name, code: err.code }
  }
}

async function same(m: Model, r: Real, what: string, real: () => Promise<unknown>, model: () => Promise<unknown>): Promise<void> {
  const actual = await outcome(real)
  const expected = await outcome(model)
  assert.deepEqual(actual, expected, `${what}: store vs model`)
  assert.equal(r.store.revision, m.model.revision, `${what}: revision`)
  assert.equal(r.store.compactRevision, m.model.compactRevision, `${what}: compact revision`)
}

// ---- arbitraries ---------------------------------------------------------------------------------

const b = (...xs: number[]): Buffer => Buffer.from(xs)
/** Edge keys: "\0", 0xff, a key and its "\0"/0xff extensions, prefix boundaries, all-0xff. */
const keys: readonly Buffer[] = [b(0), b(0xff), b(0x61), b(0x61, 0), b(0x61, 0xff), b(0x61, 0x62), b(0x62), b(0x62, 0), b(0xff, 0xff)]
const keyArb = fc.constantFrom(...keys).map((k) => Buffer.from(k))
const valueArb = fc.uint8Array({ maxLength: 3, max: 3 }).map((v) => Buffer.from(v))
type End = { rangeEnd?: BytesLike; prefix?: boolean }
/** Point (most often), [key, other), >= key ("\0"), an empty end (point), or prefix. */
const endArb: fc.Arbitrary<End> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: keyArb.map((e) => ({ rangeEnd: e })) },
  { weight: 2, arbitrary: fc.constant({ rangeEnd: b(0) }) },
  { weight: 1, arbitrary: fc.constant({ rangeEnd: b() }) },
  { weight: 2, arbitrary: fc.constant({ prefix: true }) },
)
const revArb: fc.Arbitrary<Gen<number>> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 0, -1).map((v) => () => v) },
  { weight: 2, arbitrary: fc.integer({ min: -4, max: 1 }).map((d) => (m: Model) => m.model.revision + d) },
  { weight: 1, arbitrary: fc.integer({ min: -1, max: 1 }).map((d) => (m: Model) => m.model.compactRevision + d) },
)
/** A min/max filter: mostly unset, else a revision in the recent past. */
const filterArb: fc.Arbitrary<Gen<number>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(() => 0) },
  { weight: 1, arbitrary: fc.integer({ min: -6, max: 0 }).map((d) => (m: Model) => Math.max(0, m.model.revision + d)) },
)
/** A lease ID: one granted at some point (maybe revoked since), or one never granted. */
const leaseRefArb: fc.Arbitrary<Gen<number>> = fc.nat(7).map((i) => (m: Model) => {
  const ids = [...m.granted, 4242]
  return ids[i % ids.length] ?? 4242
})

/** Range starts lean to low keys so that scans see several keys. */
const startArb = fc.oneof({ weight: 2, arbitrary: keyArb }, { weight: 1, arbitrary: fc.constantFrom(b(0), b(0x61)) })
const rangeArb: fc.Arbitrary<Gen<RangeRequest>> = fc
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

const putArb: fc.Arbitrary<Gen<PutRequest>> = fc
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

const deleteArb: fc.Arbitrary<Gen<DeleteRangeRequest>> = fc
  .record({ key: keyArb, end: endArb, prevKv: fc.boolean() })
  .map((x) => () => ({ key: x.key, ...x.end, prevKv: x.prevKv }))

const compareArb: fc.Arbitrary<Gen<Compare>> = fc
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

const leafOpArb: fc.Arbitrary<Gen<RequestOp>> = fc.oneof(
  rangeArb.map((g) => (m: Model): RequestOp => ({ range: g(m) })),
  putArb.map((g) => (m: Model): RequestOp => ({ put: g(m) })),
  deleteArb.map((g) => (m: Model): RequestOp => ({ deleteRange: g(m) })),
)
const all = <T>(gs: Array<Gen<T>>) => (m: Model): T[] => gs.map((g) => g(m))
const txnOf = (compare: fc.Arbitrary<Array<Gen<Compare>>>, op: fc.Arbitrary<Gen<RequestOp>>, n: number): fc.Arbitrary<Gen<TxnRequest>> =>
  fc
    .record({ compare, success: fc.array(op, { maxLength: n }), failure: fc.array(op, { maxLength: n - 1 }) })
    .map((x) => (m: Model): TxnRequest => ({ compare: all(x.compare)(m), success: all(x.success)(m), failure: all(x.failure)(m) }))
const nestedArb = txnOf(fc.array(compareArb, { maxLength: 2 }), leafOpArb, 3)
const opArb: fc.Arbitrary<Gen<RequestOp>> = fc.oneof(
  { weight: 4, arbitrary: leafOpArb },
  { weight: 1, arbitrary: nestedArb.map((g) => (m: Model): RequestOp => ({ txn: g(m) })) },
)
const validTxnArb = txnOf(fc.array(compareArb, { maxLength: 3 }), opArb, 4)

/** Deliberately invalid ops: each breaks one rule; they join otherwise random txns. */
const badOps: Array<Gen<RequestOp>> = [
  () => ({ range: { key: b() } }),
  () => ({ range: { key: b(0x61), sortOrder: 'SIDEWAYS' as RangeRequest['sortOrder'] } }),
  () => ({ deleteRange: { key: b(0x61), rangeEnd: b(0x62), prefix: true } }),
  () => ({ put: { key: b(0x61), value: b(1), ignoreValue: true } }),
  () => ({ put: { key: b(0x61), lease: 7, ignoreLease: true } }),
  () => ({ txn: { compare: [{ key: b(0x61), target: 'VALUE', result: 'EQUAL', value: 1 }] } }),
  () => ({ txn: { compare: [{ key: b(0x61), target: 'MOD', result: 'EQUAL', value: b(1) }] } }),
]
const manyCompares = (n: number): Compare[] => Array.from({ length: n }, () => ({ key: b(0x61), target: 'VERSION', result: 'GREATER', value: -1 }))
const invalidTxnArb: fc.Arbitrary<Gen<TxnRequest>> = fc.oneof(
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
const writeThenCompareArb: fc.Arbitrary<Gen<TxnRequest>> = fc
  .tuple(fc.boolean(), putArb, deleteArb, compareArb, rangeArb)
  .map(([isPut, put, del, compare, read]) => (m: Model): TxnRequest => {
    const p = put(m)
    const d = del(m)
    const c = { ...compare(m), key: isPut ? p.key : d.key, rangeEnd: undefined }
    const nested: TxnRequest = { compare: [c], success: [{ range: read(m) }], failure: [{ range: { key: b(0), rangeEnd: b(0) } }] }
    return { success: [isPut ? { put: p } : { deleteRange: d }, { txn: nested }] }
  })
const txnArb = fc.oneof(
  { weight: 6, arbitrary: validTxnArb },
  { weight: 1, arbitrary: writeThenCompareArb },
  { weight: 1, arbitrary: invalidTxnArb },
)

// ---- commands ------------------------------------------------------------------------------------

type Note = (sent: string) => void

class Step implements fc.AsyncCommand<Model, Real> {
  // What the last run actually sent, resolved against the model; printed with a counterexample.
  private sent = ''

  constructor(
    private readonly name: string,
    private readonly body: (m: Model, r: Real, note: Note) => Promise<void>,
  ) {}

  check(): boolean {
    return true
  }

  async run(m: Model, r: Real): Promise<void> {
    this.sent = ''
    await this.body(m, r, (sent) => {
      this.sent = sent
    })
  }

  toString(): string {
    return this.sent === '' ? this.name : `${this.name} ${this.sent}`
  }
}

const step = <T>(name: string, arb: fc.Arbitrary<T>, body: (x: T, m: Model, r: Real, note: Note) => Promise<void>) =>
  arb.map((x) => new Step(name, (m, r, note) => body(x, m, r, note)))

const putCmd = step('Put', putArb, async (g, m, r, note) => {
  const p = g(m)
  note(show(p))
  const { key, value, ...options } = p
  await same(m, r, 'put', () => r.store.put(key, value, options), () => m.model.put(key, value, options))
})
const rangeCmd = step('Range', rangeArb, async (g, m, r, note) => {
  const q = g(m)
  note(show(q))
  await same(m, r, 'range', () => r.store.range(q), () => m.model.range(q))
})
const txnCmd = step('Txn', txnArb, async (g, m, r, note) => {
  const t = g(m)
  note(show(t))
  await same(m, r, 'txn', () => r.store.txn(t), () => m.model.txn(t))
})
const deleteCmd = step('DeleteRange', deleteArb, async (g, m, r, note) => {
  const d = g(m)
  note(show(d))
  await same(m, r, 'deleteRange', () => r.store.deleteRange(d), () => m.model.deleteRange(d))
})
const getCmd = step('Get', fc.tuple(keyArb, revArb), async ([key, rev], m, r, note) => {
  const revision = rev(m)
  note(`${show(key)} @${revision}`)
  await same(m, r, 'get', () => r.store.get(key, { revision }), () => m.model.get(key, { revision }))
})
/** C2 edges: around the compaction point, or about halfway between it and the head. */
const compactCmd = step('Compact', fc.tuple(fc.integer({ min: -1, max: 2 }), fc.boolean(), fc.boolean()), async ([d, nearPoint, physical], m, r, note) => {
  const span = m.model.revision - m.model.compactRevision
  const rev = Math.max(1, nearPoint ? m.model.compactRevision + d : m.model.revision - Math.floor(span / 2) + d)
  note(`${rev}${physical ? ' physical' : ''}`)
  await same(m, r, 'compact', () => r.store.compact(rev, { physical }), () => m.model.compact(rev))
})
const grantArb = fc.tuple(fc.constantFrom(-1, 0, 1, 2, 3, 5, 9_000_000_001), fc.constantFrom(0, 0, 1, 2, 3, -1))
const grantCmd = step('LeaseGrant', grantArb, async ([ttl, id], m, r, note) => {
  note(`ttl=${ttl} id=${id}`)
  let picked = 0
  const real = async () => {
    const granted = await r.store.leaseGrant(ttl, id)
    picked = granted.id
    return granted
  }
  await same(m, r, 'leaseGrant', real, () => m.model.leaseGrant(ttl, id, picked))
  if (picked !== 0 && !m.granted.includes(picked)) m.granted.push(picked)
})
const revokeCmd = step('LeaseRevoke', leaseRefArb, async (ref, m, r, note) => {
  const id = ref(m)
  note(`${id}`)
  await same(m, r, 'leaseRevoke', () => r.store.leaseRevoke(id), () => m.model.leaseRevoke(id))
})
const keepAliveCmd = step('LeaseKeepAlive', leaseRefArb, async (ref, m, r, note) => {
  const id = ref(m)
  note(`${id}`)
  await same(m, r, 'leaseKeepAlive', () => r.store.leaseKeepAlive(id), () => m.model.leaseKeepAlive(id))
})
const timeToLiveCmd = step('LeaseTimeToLive', fc.tuple(leaseRefArb, fc.boolean()), async ([ref, keys], m, r, note) => {
  const id = ref(m)
  note(`${id}${keys ? ' keys' : ''}`)
  await same(m, r, 'leaseTimeToLive', () => r.store.leaseTimeToLive(id, { keys }), () => m.model.leaseTimeToLive(id, { keys }))
})
const byId = (x: { id: number }, y: { id: number }): number => x.id - y.id
/** Timers fire inside advance(); flush() waits until the expiry they queued has committed. */
const advanceCmd = step('AdvanceClock', fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.constantFrom(999, 1000, 1001, 2000)), async (ms, m, r, note) => {
  note(`${ms} ms`)
  r.clock.advance(ms)
  await r.store.flush()
  m.model.expire()
  const leases = m.model.leaseIds.map((id) => ({ id })).sort(byId)
  await same(m, r, 'leases after expiry', async () => (await r.store.leases()).sort(byId), async () => leases)
})
/**
 * Same file, same clock: this store keeps lease deadlines across reopen (unlike etcd's L6). With
 * downtime the clock moves while closed; advance(0) fires the new store's expiry timer.
 */
const reopenArb = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6_000 }) })
const reopenCmd = step('Reopen', reopenArb, async (downMs, m, r, note) => {
  note(downMs === 0 ? '' : `after ${downMs} ms down`)
  await r.store.close()
  r.clock.advance(downMs)
  r.store = await openStore({ path: r.path, clock: r.clock, durability: 'relaxed' })
  r.clock.advance(0)
  await r.store.flush()
  m.model.expire()
  const leases = m.model.leaseIds.map((id) => ({ id })).sort(byId)
  await same(m, r, 'leases after reopen', async () => (await r.store.leases()).sort(byId), async () => leases)
})

/**
 * Writes submitted in one tick share a group commit: each must still get its own answer and
 * revision, in submission order, as if applied one by one (a refused one changes nothing).
 */
type Write =
  | { kind: 'put'; p: PutRequest }
  | { kind: 'del'; d: DeleteRangeRequest }
  | { kind: 'txn'; t: TxnRequest }
  | { kind: 'compact'; rev: number; physical: boolean }
  | { kind: 'revoke' | 'keepAlive'; id: number }
const writeArb: fc.Arbitrary<Gen<Write>> = fc.oneof(
  putArb.map((g) => (m: Model): Write => ({ kind: 'put', p: g(m) })),
  deleteArb.map((g) => (m: Model): Write => ({ kind: 'del', d: g(m) })),
  txnArb.map((g) => (m: Model): Write => ({ kind: 'txn', t: g(m) })),
  fc.tuple(fc.integer({ min: -1, max: 1 }), fc.boolean()).map(([d, physical]) => (m: Model): Write => ({ kind: 'compact', rev: m.model.revision + d, physical })),
  fc.tuple(fc.constantFrom('revoke' as const, 'keepAlive' as const), leaseRefArb).map(([kind, ref]) => (m: Model): Write => ({ kind, id: ref(m) })),
)
function submit(s: Store | ModelStore, w: Write): Promise<unknown> {
  if (w.kind === 'put') {
    const { key, value, ...options } = w.p
    return s.put(key, value, options)
  }
  if (w.kind === 'del') return s.deleteRange(w.d)
  if (w.kind === 'txn') return s.txn(w.t)
  if (w.kind === 'compact') return s instanceof ModelStore ? s.compact(w.rev) : s.compact(w.rev, { physical: w.physical })
  return w.kind === 'revoke' ? s.leaseRevoke(w.id) : s.leaseKeepAlive(w.id)
}
const batchCmd = step('Batch', fc.array(writeArb, { minLength: 2, maxLength: 4 }), async (gs, m, r, note) => {
  const writes = gs.map((g) => g(m))
  note(show(writes))
  const pending = writes.map((w) => submit(r.store, w)) // all queued before any commits
  const actual = await Promise.all(pending.map((p) => outcome(() => p)))
  const expected: unknown[] = []
  for (const w of writes) expected.push(await outcome(() => submit(m.model, w)))
  assert.deepEqual(actual, expected, 'batch: store vs model')
  assert.equal(r.store.revision, m.model.revision, 'batch: revision')
  assert.equal(r.store.compactRevision, m.model.compactRevision, 'batch: compact revision')
})

// Repeated entries weigh the KV commands more.
const commands = [putCmd, putCmd, putCmd, txnCmd, txnCmd, rangeCmd, rangeCmd, deleteCmd, getCmd, compactCmd]
  .concat([batchCmd, grantCmd, revokeCmd, keepAliveCmd, timeToLiveCmd, advanceCmd, reopenCmd])

const orders: Array<RangeRequest['sortOrder']> = ['NONE', 'ASCEND', 'DESCEND']
const targets: Array<RangeRequest['sortTarget']> = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']

/**
 * Every revision still readable shows the same keyspace in both, and whole-keyspace scans agree
 * under every sort and a limit (random ranges rarely see many keys); then check() must pass.
 */
async function finalCheck(m: Model, r: Real): Promise<void> {
  const first = Math.max(1, m.model.compactRevision)
  const scans: RangeRequest[] = []
  for (let rev = first; rev <= m.model.revision; rev++) scans.push({ key: b(0), rangeEnd: b(0), revision: rev })
  for (const sortOrder of orders) {
    for (const sortTarget of targets) for (const limit of [0, 2]) scans.push({ key: b(0), rangeEnd: b(0), sortOrder, sortTarget, limit })
  }
  for (const q of scans) assert.deepEqual(plain(await r.store.range(q)), plain(await m.model.range(q)), `final scan ${show(q)}`)
  const report = await r.store.check()
  assert.deepEqual(report.problems, [], 'store.check() problems')
  assert.equal(report.ok, true, 'store.check() ok')
}

const runs = Number(process.env['ETCHLOG_MODEL_RUNS'] ?? 100)
const seedText = process.env['ETCHLOG_MODEL_SEED']

test('store matches the etcd model under random commands, compaction, leases, clock and reopen', async () => {
  const dir = tempDir('etchlog-model-')
  let n = 0
  try {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), async (cmds) => {
        const clock = new FakeClock()
        const path = join(dir.path, `run-${n++}.db`)
        const real: Real = { store: await openStore({ path, clock, durability: 'relaxed' }), clock, path }
        const model: Model = { model: new ModelStore(clock), granted: [] }
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds)
          await finalCheck(model, real)
        } finally {
          await real.store.close()
        }
      }),
      { numRuns: runs, includeErrorInReport: true, ...(seedText === undefined ? {} : { seed: Number(seedText) }) },
    )
  } finally {
    dir.remove()
  }
})

// Found by the model (T6). The up-front duplicate check compares a nested txn's puts only with
// deletes seen before it, so a put in one nested txn and a delete of the same key in a later
// sibling pass. When both run, the log refuses the second row at the same revision (LogError,
// InternalError, "UNIQUE constraint failed: log.key, log.rev"); when the put sits in a branch
// that does not run, the txn succeeds. T6 rejects both up front with DuplicateKeyError.
test('regression: a put and a delete of one key in sibling nested txns is a duplicate (T6)', async (t) => {
  const ctx = await tempStore({ clock: new FakeClock(), durability: 'relaxed' })
  t.after(() => ctx.done())
  const store = ctx.store
  await store.put('a', 'v')
  const putA: RequestOp = { put: { key: 'a', value: 'x' } }
  const deleteA: RequestOp = { deleteRange: { key: 'a' } }
  await assert.rejects(store.txn({ success: [{ txn: { success: [putA] } }, { txn: { success: [deleteA] } }] }), DuplicateKeyError)
  await assert.rejects(store.txn({ success: [{ txn: { failure: [putA] } }, { txn: { success: [deleteA] } }] }), DuplicateKeyError)
  assert.equal(store.revision, 2)
})

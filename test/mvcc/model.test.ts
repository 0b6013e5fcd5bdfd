// Model-based test: fc.commands drives the real store and test/support/model-store.ts with the
// same random commands (KV, txn, compaction, leases, clock, reopen) and compares every answer,
// error and revision. ETCHLOG_MODEL_RUNS scales the run count; ETCHLOG_MODEL_SEED replays a seed.
// Store bugs it found are pinned by named regression tests at the end.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import {
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
import { ModelStore } from '../support/model-store.js'
import { b, keys, keyArb, revArb, leaseRefArb, rangeArb, putArb, deleteArb, all, txnArb, type Gen, type Model } from '../support/model-arbitraries.js'
import { tempDir, tempStore } from '../support/temp-store.js'

interface Real { store: Store; clock: FakeClock; path: string }

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

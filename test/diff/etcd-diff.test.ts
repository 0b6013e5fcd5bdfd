// Differential test: the same random operation sequences go to a real etcd 3.4 (Debian's
// etcd-server 3.4.23, started by test/support/etcd-server.ts) and to a fresh etchlog store, and
// every answer is compared: header revision, kvs (createRevision, modRevision, version, value,
// lease), count, more, succeeded, nested responses with their revisions, prevKv(s), lease TTLs,
// and errors (etchlog's error class mapped to etcd's gRPC status and message, outcomes.ts).
//
// ETCHLOG_DIFF_OPS: operations per run (default 2000, in sequences of at most 500, each on a
// fresh etcd and a fresh store). ETCHLOG_DIFF_SEED replays a run. ETCHLOG_REQUIRE_ETCD=1 (set
// by .ci/run) turns a missing etcd binary into a failure instead of a skip.
//
// Left out of the random stream, each for a reason, and pinned instead by
// known-differences.test.ts where it is a difference:
// - Watch: not in scope yet (the watch cache is being built); W17's etcd 3.4.23 watch bugs will
//   apply there.
// - Txns that etchlog refuses as duplicate keys but etcd 3.4's checkIntervals lets through (a put
//   in a nested txn and a delete of that key in a later sibling: README "differences" row; a put
//   inside a delete whose range end is "\0": etcd reads that end literally there). etchlog is
//   asked first; such a txn is not sent to etcd, whose state would then differ.
// - A range with a negative revision inside a txn: etcd 3.4 answers "compacted" when it is below
//   its compaction point, which starts at -1 (checkRequestRange only lets 0 through), while RG4
//   and etcd's own plain Range read the current revision. Such revisions are sent as 0.
// - Unknown sort orders/targets: etcd 3.4.23 has no "invalid sort option" check (RG7 is from
//   3.5+), ignores an unknown order and crashes on an unknown target with an order.
// - Compact(0) before any compaction: etcd accepts it (its compaction point starts at -1),
//   etchlog answers compacted.
// - Lease expiry and TTLs that could run out during the run: leases are granted for 600 s or
//   more, or revoked right after the grant. Lease IDs etcd picks are mapped to etchlog's.
// - LEASE compares ordered (GREATER/LESS) against a server-picked lease ID: the IDs are
//   unrelated random numbers on the two sides (README: lease IDs).
// - Sort ties: compared as sets (README: ties keep key order in etchlog, unspecified in etcd).
// - etcd's compactions are physical, so its background compaction cannot race the next request
//   (#18667, fixed after 3.4.23); etchlog's are physical or not at random.
// - Nested txn headers: etcd 3.4 leaves them empty (revision 0); each side is checked against its
//   own rule (outcomes.ts normTxn).
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import fc from 'fast-check'
import { DuplicateKeyError, type Store, type TxnRequest } from '../../src/index.js'
import { EtcdClient, type LeaseMap } from '../support/etcd-client.js'
import { findEtcd, startEtcd, type EtcdServer } from '../support/etcd-server.js'
import { openTestStore } from '../support/temp-store.js'
import { etcdRefusesDuplicate, rangesOf } from './etcd-rules.js'
import { normRange, normTxn, outcomeOf, plain, show, type Outcome } from './outcomes.js'
import { stepArb, type Context, type Step } from './steps.js'

const opsTotal = Number(process.env.ETCHLOG_DIFF_OPS ?? 2000)
const sequenceOpsMax = 500
const seed = process.env.ETCHLOG_DIFF_SEED !== undefined ? Number(process.env.ETCHLOG_DIFF_SEED) : Math.floor(Math.random() * 2 ** 31)

/** Both sides of one sequence, and the lease ID mapping between them. */
class Pair {
  readonly etcdIds = new Map<number, string>()
  readonly etchlogIds = new Map<string, number>()
  readonly ctx: Context = { revision: 1, compactRevision: 0, granted: [], picked: new Set() }
  readonly etcd: EtcdClient
  readonly stats = new Map<string, number>()

  constructor(
    readonly server: EtcdServer,
    readonly store: Store,
  ) {
    const leases: LeaseMap = {
      toEtcd: (id) => this.etcdIds.get(id) ?? String(id),
      fromEtcd: (id) => this.etchlogIds.get(id) ?? Number(id),
    }
    this.etcd = new EtcdClient(server.endpoint, leases)
  }

  count(what: string): void {
    this.stats.set(what, (this.stats.get(what) ?? 0) + 1)
  }
}

const same = (a: Outcome, b: Outcome, what: string): void => assert.deepEqual(b, a, `${what}: etchlog (actual) vs etcd (expected)`)

async function runStep(p: Pair, step: Step): Promise<void> {
  const { store, etcd } = p
  switch (step.kind) {
    case 'put': {
      const e = await outcomeOf('etchlog', () => store.put(step.req.key, step.req.value, step.req), plain)
      same(await outcomeOf('etcd', () => etcd.put(step.req), plain), e, 'put')
      return
    }
    case 'range': {
      const norm = (r: Parameters<typeof normRange>[1]) => normRange(step.req, r)
      const e = await outcomeOf('etchlog', () => store.range(step.req), norm)
      same(await outcomeOf('etcd', () => etcd.range(step.req), norm), e, 'range')
      return
    }
    case 'delete': {
      const e = await outcomeOf('etchlog', () => store.deleteRange(step.req), plain)
      same(await outcomeOf('etcd', () => etcd.deleteRange(step.req), plain), e, 'deleteRange')
      return
    }
    case 'txn':
      return runTxn(p, step.req)
    case 'compact': {
      if (step.revision === 0 && store.compactRevision === 0) {
        // etcd's compaction point starts at -1, so Compact(0) is an accepted no-op there; etchlog
        // starts at 0 and answers compacted (known-differences.test.ts).
        p.count('excluded: compact(0) before any compaction')
        return
      }
      const e = await outcomeOf('etchlog', () => store.compact(step.revision, { physical: step.physical }), plain)
      same(await outcomeOf('etcd', () => etcd.compact(step.revision, true), plain), e, 'compact')
      return
    }
    case 'grant':
      return runGrant(p, step)
    case 'revoke': {
      const e = await outcomeOf('etchlog', () => store.leaseRevoke(step.id), plain)
      same(await outcomeOf('etcd', () => etcd.leaseRevoke(step.id), plain), e, 'leaseRevoke')
      return
    }
    case 'keepAlive': {
      const e = await outcomeOf('etchlog', () => store.leaseKeepAlive(step.id), plain)
      same(await outcomeOf('etcd', () => etcd.leaseKeepAlive(step.id), plain), e, 'leaseKeepAlive')
      return
    }
    case 'timeToLive':
      return runTimeToLive(p, step.id, step.keys)
    case 'leases': {
      const ids = (ls: Array<{ id: number }>) => ls.map((l) => l.id).sort((a, b) => a - b)
      const e = await outcomeOf('etchlog', () => store.leases(), ids)
      same(await outcomeOf('etcd', () => etcd.leases(), ids), e, 'leases')
      return
    }
  }
}

async function runTxn(p: Pair, req: TxnRequest): Promise<void> {
  for (const r of rangesOf(req)) {
    if (r.revision !== undefined && r.revision < 0) {
      r.revision = 0
      p.count('excluded: negative revision in a txn range (sent as 0)')
    }
  }
  const e = await outcomeOf('etchlog', () => p.store.txn(req), (r) => normTxn('etchlog', req, r))
  if ('error' in e && e.message === new DuplicateKeyError('').message.replace(/ \(.*\)$/, '') && !etcdRefusesDuplicate(req)) {
    // etchlog refuses what etcd 3.4's checkIntervals lets through: not sent to etcd (see the top).
    p.count(etcdRefusesDuplicate(req, true) ? 'excluded: put inside a delete ending in "\\0"' : 'excluded: nested put + later sibling delete (README)')
    return
  }
  const c = await outcomeOf('etcd', () => p.etcd.txn(req), (r) => normTxn('etcd', req, r))
  same(c, e, 'txn')
}


async function runGrant(p: Pair, step: Extract<Step, { kind: 'grant' }>): Promise<void> {
  const e = await outcomeOf('etchlog', () => p.store.leaseGrant(step.ttl, step.id), (r) => r)
  const c = await outcomeOf('etcd', () => p.etcd.leaseGrant(step.ttl, String(step.id)), (r) => r)
  // IDs the servers picked differ: map them; TTLs and chosen IDs must agree.
  if ('ok' in e && 'ok' in c) {
    const mine = e.ok as { id: number; ttl: number }
    const theirs = c.ok as { id: string; ttl: number }
    if (step.id === 0) {
      p.etcdIds.set(mine.id, theirs.id)
      p.etchlogIds.set(theirs.id, mine.id)
      p.ctx.picked.add(mine.id)
    } else {
      assert.equal(theirs.id, String(mine.id), 'leaseGrant: the requested ID')
    }
    p.ctx.granted.push(mine.id)
    assert.equal(mine.ttl, theirs.ttl, 'leaseGrant: granted TTL')
    if (step.shortTtl) {
      await runTimeToLive(p, mine.id, true)
      const r = await outcomeOf('etchlog', () => p.store.leaseRevoke(mine.id), plain)
      same(await outcomeOf('etcd', () => p.etcd.leaseRevoke(mine.id), plain), r, 'leaseRevoke (short TTL)')
    }
    return
  }
  same(c, e, 'leaseGrant')
}

/** Remaining TTLs are read at slightly different moments on the two sides: within 1 s. */
async function runTimeToLive(p: Pair, id: number, keys: boolean): Promise<void> {
  const norm = (r: { id: number; ttl: number; grantedTtl: number; keys?: Uint8Array[] }) => ({
    ...(plain({ ...r, keys: r.keys?.map((k) => Buffer.from(k).toString('hex')).sort() }) as object),
    ttl: r.ttl < 0 ? r.ttl : 'remaining',
    remaining: r.ttl,
  })
  const e = await outcomeOf('etchlog', () => p.store.leaseTimeToLive(id, { keys }), norm)
  const c = await outcomeOf('etcd', () => p.etcd.leaseTimeToLive(id, keys), norm)
  if ('ok' in e && 'ok' in c) {
    const a = e.ok as { remaining: number }
    const b = c.ok as { remaining: number }
    assert.ok(Math.abs(a.remaining - b.remaining) <= 1, `leaseTimeToLive: remaining TTL ${a.remaining} vs etcd ${b.remaining}`)
    same({ ok: { ...b, remaining: 0 } }, { ok: { ...a, remaining: 0 } }, 'leaseTimeToLive')
    return
  }
  same(c, e, 'leaseTimeToLive')
}

async function runSequence(t: TestContext, bin: string, steps: Array<(c: Context) => Step>, label: string): Promise<Map<string, number>> {
  const server = await startEtcd(bin)
  t.after(() => server.stop())
  const ts = await openTestStore(t)
  const p = new Pair(server, ts.store)
  t.after(() => p.etcd.close())
  const history: string[] = []
  for (const [i, gen] of steps.entries()) {
    p.ctx.revision = ts.store.revision
    p.ctx.compactRevision = ts.store.compactRevision
    const step = gen(p.ctx)
    history.push(`#${i} ${show(step)}`)
    try {
      await runStep(p, step)
    } catch (err) {
      const log = server.running() ? '' : `\netcd exited; its log ends:\n${server.logTail()}`
      const context = history.slice(-8).join('\n')
      throw new Error(`${label}, step ${i} (replay: ETCHLOG_DIFF_SEED=${seed} ETCHLOG_DIFF_OPS=${opsTotal}); last steps:\n${context}${log}\n${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    p.count(step.kind)
  }
  // The final states must agree as a whole too.
  const all = { key: Buffer.from([0]), rangeEnd: Buffer.from([0]) }
  same(await outcomeOf('etcd', () => p.etcd.range(all), plain), await outcomeOf('etchlog', () => ts.store.range(all), plain), `${label}: final state`)
  return p.stats
}

test('etchlog answers random KV, txn, compaction and lease sequences exactly as etcd 3.4 does', async (t) => {
  const bin = findEtcd()
  if (bin === undefined) {
    const why = 'etcd not installed (.ci/run unpacks Debian etcd-server; or set ETCHLOG_ETCD_BIN)'
    if (process.env.ETCHLOG_REQUIRE_ETCD === '1') assert.fail(why)
    t.skip(why)
    return
  }
  t.diagnostic(`seed ${seed}, ${opsTotal} ops, etcd ${bin}`)
  console.log(`etcd differential test: ETCHLOG_DIFF_SEED=${seed} ETCHLOG_DIFF_OPS=${opsTotal}`)
  const steps = fc.sample(stepArb, { seed, numRuns: opsTotal })
  const totals = new Map<string, number>()
  const started = Date.now()
  for (let i = 0; i * sequenceOpsMax < steps.length; i++) {
    const chunk = steps.slice(i * sequenceOpsMax, (i + 1) * sequenceOpsMax)
    await t.test(`sequence ${i + 1} (${chunk.length} ops)`, async (st) => {
      const stats = await runSequence(st, bin, chunk, `sequence ${i + 1}`)
      for (const [k, v] of stats) totals.set(k, (totals.get(k) ?? 0) + v)
    })
  }
  const summary = [...totals].sort().map(([k, v]) => `${k}=${v}`).join(', ')
  t.diagnostic(`${opsTotal} ops in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary}`)
  console.log(`etcd differential test: ${opsTotal} ops in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary}`)
})

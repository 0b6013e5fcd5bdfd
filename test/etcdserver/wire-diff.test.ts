// The differential test over the wire: the random steps of test/diff (same generators) go through
// the same gRPC client (test/support/etcd-client.ts) to a real etcd 3.4 and to the front, and
// every answer is compared as in test/diff, with the same exclusions (listed at the top of
// test/diff/etcd-diff.test.ts). ETCHLOG_WIRE_DIFF_OPS (default 600) and ETCHLOG_DIFF_SEED.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import fc from 'fast-check'
import type { TxnRequest } from '../../src/index.js'
import { etcdRefusesDuplicate, rangesOf } from '../diff/etcd-rules.js'
import { normRange, normTxn, outcomeOf, plain, show, type Outcome } from '../diff/outcomes.js'
import { stepArb, type Context, type Step } from '../diff/steps.js'
import { EtcdClient, type LeaseMap } from '../support/etcd-client.js'
import { startTestFront } from '../support/etcd-front.js'
import { findEtcd, startEtcd } from '../support/etcd-server.js'

const opsTotal = Number(process.env.ETCHLOG_WIRE_DIFF_OPS ?? 600)
const seed = process.env.ETCHLOG_DIFF_SEED !== undefined ? Number(process.env.ETCHLOG_DIFF_SEED) : Math.floor(Math.random() * 2 ** 31)
const duplicateMessage = 'etcdserver: duplicate key given in txn request'

class WirePair {
  // Front lease ID (the one steps use) <-> etcd's.
  readonly toEtcdIds = new Map<number, string>()
  readonly fromEtcdIds = new Map<string, number>()
  readonly ctx: Context = { revision: 1, compactRevision: 0, granted: [], picked: new Set() }
  readonly stats = new Map<string, number>()
  readonly etcd: EtcdClient
  readonly front: EtcdClient
  constructor(etcdEndpoint: string, frontEndpoint: string) {
    const map: LeaseMap = { toEtcd: (id) => this.toEtcdIds.get(id) ?? String(id), fromEtcd: (id) => this.fromEtcdIds.get(id) ?? Number(id) }
    this.etcd = new EtcdClient(etcdEndpoint, map)
    this.front = new EtcdClient(frontEndpoint)
  }
  count(what: string): void {
    this.stats.set(what, (this.stats.get(what) ?? 0) + 1)
  }
  async both(what: string, call: (c: EtcdClient) => Promise<unknown>, norm: (v: never) => unknown = plain): Promise<[Outcome, Outcome]> {
    const f = await outcomeOf('etcd', () => call(this.front), norm as (v: unknown) => unknown)
    const e = await outcomeOf('etcd', () => call(this.etcd), norm as (v: unknown) => unknown)
    assert.deepEqual(f, e, `${what}: front (actual) vs etcd (expected)`)
    return [f, e]
  }
}

async function runTxn(p: WirePair, req: TxnRequest): Promise<void> {
  for (const r of rangesOf(req)) if (r.revision !== undefined && r.revision < 0) r.revision = 0
  const f = await outcomeOf('etcd', () => p.front.txn(req), (r) => normTxn('etcd', req, r))
  if ('error' in f && f.message === duplicateMessage && !etcdRefusesDuplicate(req)) {
    p.count('excluded: duplicate etcd 3.4 lets through')
    return
  }
  const e = await outcomeOf('etcd', () => p.etcd.txn(req), (r) => normTxn('etcd', req, r))
  assert.deepEqual(f, e, 'txn: front (actual) vs etcd (expected)')
}

async function runStep(p: WirePair, step: Step): Promise<void> {
  switch (step.kind) {
    case 'put':
      await p.both('put', (c) => c.put(step.req))
      return
    case 'range':
      await p.both('range', (c) => c.range(step.req), (r: Parameters<typeof normRange>[1]) => normRange(step.req, r))
      return
    case 'delete':
      await p.both('delete', (c) => c.deleteRange(step.req))
      return
    case 'txn':
      return runTxn(p, step.req)
    case 'compact':
      if (step.revision === 0 && p.ctx.compactRevision === 0) return p.count('excluded: compact(0) before any compaction')
      await p.both('compact', (c) => c.compact(step.revision, true))
      return
    case 'grant': {
      const f = await outcomeOf('etcd', () => p.front.leaseGrant(step.ttl, String(step.id)), (r) => r)
      const e = await outcomeOf('etcd', () => p.etcd.leaseGrant(step.ttl, String(step.id)), (r) => r)
      if ('ok' in f && 'ok' in e) {
        const mine = f.ok as { id: string; ttl: number }
        const theirs = e.ok as { id: string; ttl: number }
        assert.equal(mine.ttl, theirs.ttl, 'leaseGrant: TTL')
        const id = Number(mine.id)
        if (step.id === 0) {
          p.toEtcdIds.set(id, theirs.id)
          p.fromEtcdIds.set(theirs.id, id)
          p.ctx.picked.add(id)
        } else assert.equal(mine.id, theirs.id)
        p.ctx.granted.push(id)
        if (step.shortTtl) await p.both('revoke (short TTL)', (c) => c.leaseRevoke(id))
        return
      }
      assert.deepEqual(f, e, 'leaseGrant')
      return
    }
    case 'revoke':
      await p.both('revoke', (c) => c.leaseRevoke(step.id))
      return
    case 'keepAlive':
      await p.both('keepAlive', (c) => c.leaseKeepAlive(step.id), (r: { ttl: number }) => ({ ttl: r.ttl }))
      return
    case 'timeToLive':
      await p.both('timeToLive', (c) => c.leaseTimeToLive(step.id, step.keys), (r: { ttl: number; grantedTtl: number; keys?: Uint8Array[] }) => ({
        alive: r.ttl >= 0,
        grantedTtl: r.grantedTtl,
        keys: r.keys?.map((k) => Buffer.from(k).toString('hex')).sort(),
      }))
      return
    case 'leases':
      await p.both('leases', (c) => c.leases(), (ls: Array<{ id: number }>) => ls.length)
      return
  }
}

test('the front answers random KV, txn, compaction and lease sequences over gRPC exactly as etcd 3.4 does', async (t: TestContext) => {
  const bin = findEtcd()
  if (bin === undefined) {
    const why = 'etcd not installed (.ci/run unpacks Debian etcd-server; or set ETCHLOG_ETCD_BIN)'
    if (process.env.ETCHLOG_REQUIRE_ETCD === '1') assert.fail(why)
    t.skip(why)
    return
  }
  t.diagnostic(`seed ${seed}, ${opsTotal} ops`)
  const server = await startEtcd(bin)
  t.after(() => server.stop())
  const f = await startTestFront(t)
  const p = new WirePair(server.endpoint, f.endpoint)
  t.after(() => {
    p.etcd.close()
    p.front.close()
  })
  const steps = fc.sample(stepArb, { seed, numRuns: opsTotal })
  const history: string[] = []
  for (const [i, gen] of steps.entries()) {
    p.ctx.revision = f.store.revision
    p.ctx.compactRevision = f.store.compactRevision
    const step = gen(p.ctx)
    history.push(`#${i} ${show(step)}`)
    try {
      await runStep(p, step)
    } catch (err) {
      throw new Error(`step ${i} (replay: ETCHLOG_DIFF_SEED=${seed} ETCHLOG_WIRE_DIFF_OPS=${opsTotal}); last steps:\n${history.slice(-6).join('\n')}\n${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    p.count(step.kind)
  }
  const all = { key: Buffer.from([0]), rangeEnd: Buffer.from([0]) }
  await p.both('final state', (c) => c.range(all))
  t.diagnostic([...p.stats].sort().map(([k, v]) => `${k}=${v}`).join(', '))
})

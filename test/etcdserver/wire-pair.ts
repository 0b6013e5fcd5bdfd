// Both sides of a wire-level differential run: one gRPC client (test/support/etcd-client.ts) to a
// real etcd and one to the front; a random step of test/diff/steps.ts sent to both and the answers
// compared (exclusions as in test/diff/etcd-diff.test.ts). Shared by wire-diff and wire-watch-diff.
import assert from 'node:assert/strict'
import type { TxnRequest } from '../../src/index.js'
import { etcdRefusesDuplicate, rangesOf } from '../diff/etcd-rules.js'
import { normRange, normTxn, outcomeOf, plain, type Outcome } from '../diff/outcomes.js'
import type { Context, Step } from '../diff/steps.js'
import { EtcdClient, type LeaseMap } from '../support/etcd-client.js'

const duplicateMessage = 'etcdserver: duplicate key given in txn request'

export class WirePair {
  // Front lease ID (the one steps use) <-> etcd's.
  readonly toEtcdIds = new Map<number, string>()
  readonly fromEtcdIds = new Map<string, number>()
  readonly ctx: Context = { revision: 1, compactRevision: 0, granted: [], picked: new Set() }
  readonly stats = new Map<string, number>()
  readonly etcd: EtcdClient
  /** etcd's lease IDs <-> the front's, for more etcd clients (watch streams). */
  readonly leases: LeaseMap
  readonly front: EtcdClient
  constructor(etcdEndpoint: string, frontEndpoint: string) {
    this.leases = { toEtcd: (id) => this.toEtcdIds.get(id) ?? String(id), fromEtcd: (id) => this.fromEtcdIds.get(id) ?? Number(id) }
    this.etcd = new EtcdClient(etcdEndpoint, this.leases)
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

export async function runStep(p: WirePair, step: Step): Promise<void> {
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

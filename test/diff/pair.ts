// Both sides of a differential run (a real etcd and an etchlog store) and how one random step is
// sent to both and their answers compared; shared by etcd-diff.test.ts and etcd-watch-diff.test.ts.
// The exclusions applied here are listed at the top of etcd-diff.test.ts.
import assert from 'node:assert/strict'
import { DuplicateKeyError, type Store, type TxnRequest } from '../../src/index.js'
import { EtcdClient, type LeaseMap } from '../support/etcd-client.js'
import type { EtcdServer } from '../support/etcd-server.js'
import { etcdRefusesDuplicate, rangesOf } from './etcd-rules.js'
import { normRange, normTxn, outcomeOf, plain, type Outcome } from './outcomes.js'
import type { Context, Step } from './steps.js'

/** Both sides of one sequence, and the lease ID mapping between them. */
export class Pair {
  readonly etcdIds = new Map<number, string>()
  readonly etchlogIds = new Map<string, number>()
  readonly ctx: Context = { revision: 1, compactRevision: 0, granted: [], picked: new Set() }
  readonly etcd: EtcdClient
  readonly stats = new Map<string, number>()
  /** etchlog's lease IDs <-> etcd's (server-picked IDs differ). */
  readonly leases: LeaseMap = {
    toEtcd: (id) => this.etcdIds.get(id) ?? String(id),
    fromEtcd: (id) => this.etchlogIds.get(id) ?? Number(id),
  }

  constructor(
    readonly server: EtcdServer,
    readonly store: Store,
  ) {
    this.etcd = new EtcdClient(server.endpoint, this.leases)
  }

  count(what: string): void {
    this.stats.set(what, (this.stats.get(what) ?? 0) + 1)
  }
}

export const same = (a: Outcome, b: Outcome, what: string): void => assert.deepEqual(b, a, `${what}: etchlog (actual) vs etcd (expected)`)

export async function runStep(p: Pair, step: Step): Promise<void> {
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

// lease grant | revoke | timetolive | list | keep-alive, with etcdctl's texts
// (lease_command.go, printer_simple.go): IDs in hexadecimal, in and out.
import { LeaseNotFoundError, type Clock, type Store } from '../index.js'
import { expectPositionals, formatLeaseId, parseInteger, parseLeaseId } from './args.js'
import { defineCommand } from './command.js'
import type { Output } from './output.js'

export const leaseGrantCommand = defineCommand({
  name: 'lease grant',
  usage: 'lease grant <ttl>',
  summary: 'Creates leases (TTL in seconds)',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 1, 1, 'lease grant command needs TTL argument')
    const ttl = parseInteger(positionals[0] ?? '', 'TTL', 1)
    const store = await session.openStore('create')
    const granted = await store.leaseGrant(ttl)
    if (session.out.format === 'json') session.out.json({ revision: store.revision, ID: granted.id, TTL: granted.ttl })
    else session.out.line(`lease ${formatLeaseId(granted.id)} granted with TTL(${granted.ttl}s)`)
  },
})

export const leaseRevokeCommand = defineCommand({
  name: 'lease revoke',
  usage: 'lease revoke <leaseID>',
  summary: 'Revokes leases (and deletes their keys)',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 1, 1, 'lease revoke command needs 1 argument')
    const id = parseLeaseId(positionals[0] ?? '')
    const store = await session.openStore('existing')
    const { revision } = await store.leaseRevoke(id)
    if (session.out.format === 'json') session.out.json({ header: { revision } })
    else session.out.line(`lease ${formatLeaseId(id)} revoked`)
  },
})

export const leaseTimeToLiveCommand = defineCommand({
  name: 'lease timetolive',
  usage: 'lease timetolive <leaseID> [options]',
  summary: 'Gets lease information',
  options: { keys: { type: 'boolean' } },
  flags: ['--keys     get keys attached to this lease'],
  async run(session, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'lease timetolive command needs lease ID as argument')
    const id = parseLeaseId(positionals[0] ?? '')
    const keys = values.keys === true
    const store = await session.openStore('read')
    const r = await store.leaseTimeToLive(id, { keys })
    const out = session.out
    const keyList = r.keys ?? []
    if (out.format === 'json') {
      const o: Record<string, unknown> = { revision: store.revision, id: r.id, ttl: r.ttl, 'granted-ttl': r.grantedTtl }
      if (r.keys !== undefined) o['keys'] = keyList.map((k) => Buffer.from(k).toString('base64'))
      return out.json(o)
    }
    if (out.format === 'table') {
      const row = [formatLeaseId(r.id), String(r.grantedTtl), String(r.ttl), ...(keys ? [keyList.map((k) => out.cell(k)).join(' ')] : [])]
      return out.table(['id', 'granted ttl', 'remaining ttl', ...(keys ? ['keys'] : [])], [row])
    }
    if (r.grantedTtl === 0 && r.ttl === -1) return out.line(`lease ${formatLeaseId(r.id)} already expired`)
    let text = `lease ${formatLeaseId(r.id)} granted with TTL(${r.grantedTtl}s), remaining(${r.ttl}s)`
    // Go's %v of a []string: [a b c]
    if (keys) text += `, attached keys([${keyList.map((k) => Buffer.from(k).toString('utf8')).join(' ')}])`
    out.line(text)
  },
})

export const leaseListCommand = defineCommand({
  name: 'lease list',
  usage: 'lease list',
  summary: 'List all active leases',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 0, 0, 'lease list command does not accept arguments')
    const store = await session.openStore('read')
    const leases = await store.leases()
    const out = session.out
    if (out.format === 'json') return out.json({ revision: store.revision, leases: leases.map((l) => ({ id: l.id })) })
    if (out.format === 'table') {
      const rows: string[][] = []
      for (const l of leases) {
        const t = await store.leaseTimeToLive(l.id)
        rows.push([formatLeaseId(l.id), String(t.grantedTtl), String(t.ttl)])
      }
      return out.table(['id', 'granted ttl', 'remaining ttl'], rows)
    }
    out.line(`found ${leases.length} leases`)
    for (const l of leases) out.line(formatLeaseId(l.id))
  },
})

/** Resolves after `ms`, or at once when the signal fires; true if it was the signal. */
function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true)
  return new Promise((resolve) => {
    const onAbort = (): void => {
      timer.cancel()
      resolve(true)
    }
    const timer = clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort)
      resolve(false)
    })
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function printKeepAlive(out: Output, store: Store, id: number, ttl: number): void {
  if (out.format === 'json') out.json({ revision: store.revision, ID: id, TTL: ttl })
  else out.line(`lease ${formatLeaseId(id)} keepalived with TTL(${ttl})`)
}

export const leaseKeepAliveCommand = defineCommand({
  name: 'lease keep-alive',
  usage: 'lease keep-alive [options] <leaseID>',
  summary: 'Keeps leases alive (renews them every TTL/3 until Ctrl-C)',
  options: { once: { type: 'boolean' } },
  flags: ['--once     renew the lease once, then exit'],
  async run(session, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'lease keep-alive command needs lease ID as argument')
    const id = parseLeaseId(positionals[0] ?? '')
    const store = await session.openStore('existing')
    const out = session.out
    if (values.once === true) {
      const { ttl } = await store.leaseKeepAlive(id)
      // etcd's KeepAliveOnce fails for a missing lease; the store answers TTL 0 (L3).
      if (ttl <= 0) throw new LeaseNotFoundError(id)
      return printKeepAlive(out, store, id, ttl)
    }
    for (;;) {
      const { ttl } = await store.leaseKeepAlive(id)
      if (ttl <= 0) {
        // As etcdctl: the keep-alive stream ends, the command says so and exits normally.
        out.line(`lease ${formatLeaseId(id)} expired or revoked.`)
        return 0
      }
      printKeepAlive(out, store, id, ttl)
      // clientv3 renews a third of the way into the TTL.
      if (await pause(session.clock, (ttl * 1000) / 3, session.signal)) return 0
    }
  },
})

// `npm start`: a short demonstration on the embedded default database (./data/etchlog.db).
// It opens the store, writes, reads (now and in the past), runs a compare-and-swap txn the way
// the Kubernetes API server does, uses a lease, compacts, checks integrity and prints each step.
// (A later issue replaces this with a cluster-sized workload.)
import { openStore, type KeyValue, type Store } from './index.js'

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')
const show = (kv: KeyValue | undefined): string =>
  kv === undefined
    ? '(none)'
    : `${text(kv.key)} = ${JSON.stringify(text(kv.value))} (create ${kv.createRevision}, mod ${kv.modRevision}, version ${kv.version}${kv.lease !== 0 ? `, lease ${kv.lease}` : ''})`

function step(title: string, detail: string): void {
  console.log(`- ${title.padEnd(44)} ${detail}`)
}

async function casUpdate(store: Store, key: string, update: (old: string) => string): Promise<number> {
  // guaranteedUpdate: read, change, write only if nobody wrote since (compare on modRevision).
  for (let attempt = 1; ; attempt++) {
    const cur = await store.get(key)
    const next = update(cur === undefined ? '' : text(cur.value))
    const r = await store.txn({
      compare: [{ key, target: 'MOD', result: 'EQUAL', value: cur?.modRevision ?? 0 }],
      success: [{ put: { key, value: next } }],
      failure: [{ range: { key } }],
    })
    if (r.succeeded) return attempt
  }
}

async function main(): Promise<void> {
  const path = process.env['ETCHLOG_PATH'] ?? './data/etchlog.db'
  const t0 = performance.now()
  const store = await openStore({ path })
  console.log(`etchlog demo on ${path} (opened at revision ${store.revision}, compacted at ${store.compactRevision})\n`)

  const run = Date.now().toString(36)
  const ns = `/registry/configmaps/demo-${run}/`
  const created = await store.put(`${ns}settings`, JSON.stringify({ replicas: 1 }))
  step('put settings', `revision ${created.revision}`)
  const updated = await store.put(`${ns}settings`, JSON.stringify({ replicas: 3 }), { prevKv: true })
  step('put settings again (prevKv)', `revision ${updated.revision}, previous ${show(updated.prevKv)}`)
  step('get settings now', show(await store.get(`${ns}settings`)))
  step(`get settings at revision ${created.revision}`, show(await store.get(`${ns}settings`, { revision: created.revision })))

  const writes = await Promise.all(Array.from({ length: 100 }, (_, i) => store.put(`${ns}item-${String(i).padStart(3, '0')}`, `v${i}`)))
  step('100 concurrent puts (group commit)', `revisions ${writes[0]?.revision}..${writes[writes.length - 1]?.revision}`)
  const page = await store.range({ key: ns, prefix: true, limit: 5, keysOnly: true })
  step('list the prefix, limit 5', `${page.kvs.length} keys of ${page.count}, more=${page.more}`)

  const attempts = await Promise.all([1, 2, 3].map(() => casUpdate(store, `${ns}counter`, (v) => String(Number(v || '0') + 1))))
  const counter = await store.get(`${ns}counter`)
  step('3 racing CAS increments', `counter = ${text(counter?.value ?? new Uint8Array())}, attempts ${attempts.join('/')}`)

  const conflict = await store.txn({
    compare: [{ key: `${ns}settings`, target: 'MOD', result: 'EQUAL', value: created.revision }],
    success: [{ put: { key: `${ns}settings`, value: 'stale write' } }],
    failure: [{ range: { key: `${ns}settings` } }],
  })
  step('CAS with a stale resourceVersion', `succeeded=${conflict.succeeded}, revision stays ${conflict.revision}`)

  const lease = await store.leaseGrant(30)
  await store.put(`${ns}event-1`, 'pod scheduled', { lease: lease.id })
  const ttl = await store.leaseTimeToLive(lease.id, { keys: true })
  step('lease for an event', `id ${lease.id}, ttl ${ttl.ttl}s, keys ${ttl.keys?.map(text).join(', ')}`)
  const revoked = await store.leaseRevoke(lease.id)
  step('revoke the lease', `event deleted at revision ${revoked.revision}: ${show(await store.get(`${ns}event-1`))}`)

  const removed = await store.deleteRange({ key: `${ns}item-`, prefix: true })
  step('delete the items', `${removed.deleted} keys at revision ${removed.revision}`)

  const before = await store.status()
  await store.compact(store.revision, { physical: true })
  const after = await store.status()
  step(`compact at ${after.compactRevision}`, `db ${before.dbSize} -> ${after.dbSize} bytes (in use ${after.dbSizeInUse})`)
  try {
    await store.get(`${ns}settings`, { revision: created.revision })
  } catch (err) {
    step(`read at revision ${created.revision} after compaction`, `${(err as Error).name} (${(err as { code?: string }).code})`)
  }

  const report = await store.check()
  step('integrity check', report.ok ? `ok (${report.rows} log rows, ${report.keys} live keys)` : report.problems.join('; '))
  await store.close()
  console.log(`\ndone in ${(performance.now() - t0).toFixed(0)} ms; run it again to keep building on the same database.`)
  if (!report.ok) process.exitCode = 1
}

await main()

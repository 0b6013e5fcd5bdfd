// Maintenance commands: compaction, endpoint status and health, defrag, check (integrity) and
// reencrypt. etcdctl's texts where etcdctl has the command; the store's own reports otherwise.
import { CorruptionError, createResealPool, type CheckReport, type StatusResponse } from '../index.js'
import { expectPositionals, integerFlag, parseInteger } from './args.js'
import { defineCommand } from './command.js'
import { exitError, UsageError } from './errors.js'
import { humanBytes } from './table.js'

export const compactionCommand = defineCommand({
  name: 'compaction',
  usage: 'compaction [options] <revision>',
  summary: 'Compacts the event history in the store',
  options: { physical: { type: 'boolean' } },
  flags: ['--physical     wait until the compacted rows are removed and their space reclaimed'],
  async run(session, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'compaction command needs 1 argument')
    const revision = parseInteger(positionals[0] ?? '', 'revision', 0)
    const store = await session.openStore('existing')
    const response = await store.compact(revision, { physical: values.physical === true })
    if (session.out.format === 'json') session.out.json({ header: { revision: response.revision }, compact_revision: revision })
    else session.out.line(`compacted revision ${revision}`)
  },
})

const statusHeader = ['endpoint', 'version', 'revision', 'compact revision', 'db size', 'db size in use', 'wal size', 'leases', 'durability']

function statusRow(s: StatusResponse): string[] {
  return [s.path, s.version, String(s.revision), String(s.compactRevision), humanBytes(s.dbSize), humanBytes(s.dbSizeInUse), humanBytes(s.walSize), String(s.leases), s.durability]
}

/** etcdctl's epStatus {"Endpoint", "Status"} with StatusResponse's json names (dbSize, ...). */
function jsonStatus(s: StatusResponse): Record<string, unknown> {
  const { path, revision, ...rest } = s
  return { Endpoint: path, Status: { header: { revision }, ...rest } }
}

export const endpointStatusCommand = defineCommand({
  name: 'endpoint status',
  usage: 'endpoint status',
  summary: 'Prints out the status of the database (revisions, sizes, leases)',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 0, 0, 'endpoint status command does not accept arguments')
    const store = await session.openStore('read')
    const s = await store.status()
    const out = session.out
    if (out.format === 'json') return out.json([jsonStatus(s)])
    if (out.format === 'table') return out.table(statusHeader, [statusRow(s)])
    out.line(statusRow(s).join(', '))
  },
})

export const endpointHealthCommand = defineCommand({
  name: 'endpoint health',
  usage: 'endpoint health',
  summary: 'Checks that the database answers a read (as etcdctl: a range of the key "health")',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 0, 0, 'endpoint health command does not accept arguments')
    const started = session.clock.now()
    const store = await session.openStore('read')
    await store.range({ key: 'health' })
    const took = session.clock.now() - started
    const out = session.out
    if (out.format === 'json') return out.json([{ endpoint: session.dbPath, health: true, took: `${took}ms` }])
    if (out.format === 'table') return out.table(['endpoint', 'health', 'took', 'error'], [[session.dbPath, 'true', `${took}ms`, '']])
    out.line(`${session.dbPath} is healthy: successfully read the database: took = ${took}ms`)
  },
})

export const defragCommand = defineCommand({
  name: 'defrag',
  usage: 'defrag',
  summary: 'Defragments the database file (returns free pages to the file system)',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 0, 0, 'defrag command does not accept arguments')
    const store = await session.openStore('existing')
    const before = await store.status()
    const after = await store.defragment()
    const out = session.out
    if (out.format === 'json') return out.json({ ...jsonStatus(after), dbSizeBefore: before.dbSize })
    out.line(`Finished defragmenting etchlog database[${after.path}] (db size ${humanBytes(before.dbSize)} -> ${humanBytes(after.dbSize)})`)
  },
})

export const checkCommand = defineCommand({
  name: 'check',
  usage: 'check',
  summary: "Checks the database's integrity (SQLite's check, the log's invariants, the index against the log)",
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 0, 0, 'check command does not accept arguments')
    let report: CheckReport
    try {
      const store = await session.openStore('read')
      report = await store.check()
    } catch (err) {
      // A file too damaged to open (a bad header or schema page) still gets the report.
      if (!(err instanceof CorruptionError)) throw err
      report = { ok: false, problems: [err.message], rows: 0, keys: 0 }
    }
    const out = session.out
    if (out.format === 'json') out.json(report)
    else if (out.format === 'table') {
      out.table(['ok', 'rows', 'keys', 'problems'], [[String(report.ok), String(report.rows), String(report.keys), String(report.problems.length)]])
      for (const p of report.problems) out.line(p)
    } else {
      for (const p of report.problems) out.line(p)
      out.line(report.ok ? `OK: ${report.rows} rows, ${report.keys} keys` : `FAILED: ${report.problems.length} problem(s) in ${report.rows} rows, ${report.keys} keys`)
    }
    return report.ok ? 0 : exitError
  },
})

export const reencryptCommand = defineCommand({
  name: 'reencrypt',
  usage: 'reencrypt --encryption-config FILE [options]',
  summary: 'Rewrites every value stored under a retired encryption key with the current one',
  options: { prefix: { type: 'string' }, 'batch-keys': { type: 'string' }, workers: { type: 'string' } },
  flags: [
    '--prefix=P        only keys under this prefix',
    '--batch-keys=N    keys read per batch (default 256)',
    '--workers=N       re-seal on N worker threads (default 2; 0: on the main thread; kms configs always use 0)',
    '',
    'Prints the keys examined (live keys read, once each), rewritten (re-sealed under the current key),',
    'skipped (already under it) and, if any, changed meanwhile (replaced by another writer first).',
  ],
  async run(session, { positionals, values }) {
    expectPositionals(positionals, 0, 0, 'reencrypt command does not accept arguments')
    if (values['encryption-config'] === undefined) {
      throw new UsageError('reencrypt needs --encryption-config: without it every value reads as plaintext and nothing is stale')
    }
    const batchKeys = integerFlag(values['batch-keys'], 'batch-keys', 1)
    const workers = integerFlag(values.workers, 'workers', 0) ?? 2
    const store = await session.openStore('existing')
    const config = session.encryptionConfig()
    // Worker threads re-seal about 1.5-2x faster (bench/encryption/reencrypt.bench.ts), but a kms
    // provider's key service cannot be sent to them.
    const kms = config?.resources.some((r) => r.providers.some((p) => 'kms' in p)) ?? true
    const pool = workers > 0 && !kms && config !== undefined ? createResealPool(config, { threads: workers }) : undefined
    let progress
    try {
      progress = await store.reencrypt({
        ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
        ...(batchKeys === undefined ? {} : { batchKeys }),
        ...(pool === undefined ? {} : { resealer: pool }),
        signal: session.signal,
      })
    } finally {
      await pool?.close()
    }
    const counts = reencryptCounts(progress)
    const out = session.out
    if (out.format === 'json') return out.json(counts)
    if (out.format === 'table') {
      return out.table(['examined', 'rewritten', 'skipped', 'changed meanwhile'], [[counts.examined, counts.rewritten, counts.skipped, counts.changedMeanwhile].map(String)])
    }
    out.line(
      `examined ${counts.examined} keys: rewrote ${counts.rewritten} under the current key, skipped ${counts.skipped} already under it` +
        (counts.changedMeanwhile > 0 ? `, ${counts.changedMeanwhile} rewritten by another writer meanwhile (also current now)` : ''),
    )
  },
})

/**
 * What a reencrypt run did, in the words its output uses. examined: live keys read, once each
 * (a key created or deleted while the run goes may or may not be among them, so two runs over a
 * store in use can differ); rewritten: values re-sealed under the current key; skipped: values
 * already under it, left alone; changedMeanwhile: stale values another writer replaced before
 * this run's compare-and-swap could (the newer write used the current key).
 */
function reencryptCounts(p: { scanned: number; rewritten: number; raced: number }): { examined: number; rewritten: number; skipped: number; changedMeanwhile: number } {
  return { examined: p.scanned, rewritten: p.rewritten, skipped: p.scanned - p.rewritten - p.raced, changedMeanwhile: p.raced }
}

// store.check(): the log's invariants, read back from disk. Run after every test; exposed to users
// (etchctl check). Costs one pass over the log plus memory for one entry per key.
import { CorruptionError, describeKey } from '../util/index.js'
import type { Head, Log, LogRow, ReadTxn } from './log.js'
import type { CheckReport } from './types.js'

const PROBLEMS_MAX = 50

export function checkStore(log: Log): CheckReport {
  const problems: string[] = log.integrityCheck().map((m) => `sqlite: ${m}`)
  let report = { rows: 0, keys: 0 }
  try {
    report = log.read((tx) => checkRows(log, tx, log.head(tx), problems))
  } catch (err) {
    // A row failing its checksum, or a page SQLite cannot read, ends the pass: it is the finding.
    if (!(err instanceof CorruptionError)) throw err
    problems.push(err.message)
  }
  return { ok: problems.length === 0, problems: problems.slice(0, PROBLEMS_MAX), ...report }
}

function checkRows(log: Log, tx: ReadTxn, head: Head, problems: string[]): { rows: number; keys: number } {
  const say = (m: string): void => {
    if (problems.length < PROBLEMS_MAX) problems.push(m)
  }
  if (head.revision < 1) say(`meta: revision ${head.revision} < 1`)
  if (head.compactRevision > head.revision) say(`meta: compact revision ${head.compactRevision} > revision ${head.revision}`)
  if (head.compactedRevision > head.compactRevision) say('meta: compacted revision above the compaction point')
  // Newest row seen so far per key (hex). A life may start above version 1 only where
  // compaction removed its earlier rows.
  const newest = new Map<string, LogRow>()
  let rows = 0
  let lastRev = 0
  for (const r of log.scan(tx)) {
    rows++
    const k = r.key.toString('hex')
    const where = `row ${r.id} (key ${describeKey(r.key)}, rev ${r.rev})`
    if (r.rev < lastRev) say(`${where}: revision goes backwards after ${lastRev}`)
    if (r.rev > head.revision) say(`${where}: revision above the store revision ${head.revision}`)
    if (r.rev < 2) say(`${where}: revision below 2`)
    lastRev = r.rev
    const prev = newest.get(k)
    if (r.version === 0) {
      if (r.value !== null || r.createRev !== 0 || r.lease !== 0) say(`${where}: tombstone carries data`)
      if (prev !== undefined && prev.version === 0) say(`${where}: tombstone after a tombstone`)
    } else if (prev === undefined || prev.version === 0) {
      if (r.version === 1 && r.createRev !== r.rev) say(`${where}: version 1 with create revision ${r.createRev}`)
      if (r.version !== 1 && !(prev === undefined && r.createRev < r.rev)) say(`${where}: life starts at version ${r.version}`)
    } else {
      if (r.version !== prev.version + 1) say(`${where}: version ${r.version} after ${prev.version}`)
      if (r.createRev !== prev.createRev) say(`${where}: create revision changed within one life`)
    }
    if (prev !== undefined && prev.rev < head.compactedRevision && r.rev <= head.compactedRevision) {
      say(`${where}: row ${prev.id} at ${prev.rev} should have been compacted at ${head.compactedRevision}`)
    }
    if (r.version === 0 && r.rev < head.compactedRevision) {
      say(`${where}: tombstone below the compacted revision ${head.compactedRevision}`)
    }
    newest.set(k, r)
  }
  let keys = 0
  const live = log.range(tx, { interval: { start: Buffer.alloc(1), end: null }, revision: undefined, limit: 0, withValues: false })
  const leaseIds = new Set(log.leases(tx).map((l) => l.id))
  for (const e of live) {
    keys++
    const k = e.key.toString('hex')
    const r = newest.get(k)
    const where = `live key ${describeKey(e.key)}`
    if (r === undefined || r.version === 0) say(`${where}: not alive in the log`)
    else if (r.rev !== e.modRev || r.version !== e.version || r.createRev !== e.createRev || r.lease !== e.lease) {
      say(`${where}: index (mod ${e.modRev}, v${e.version}) differs from log (mod ${r.rev}, v${r.version})`)
    }
    if (e.lease !== 0 && !leaseIds.has(e.lease)) say(`${where}: attached to missing lease ${e.lease}`)
    newest.delete(k)
  }
  for (const r of newest.values()) {
    if (r.version !== 0) say(`key ${describeKey(r.key)}: alive in the log (rev ${r.rev}) but missing from the index`)
  }
  return { rows, keys }
}

// Child of test/log/fsync-fault.test.ts, run with the fsync-fault.c shim preloaded: opens a
// strict (fsync per commit) store and runs concurrent workload loops until fsync fails, then
// probes what the store does after the failure, and sends back its history and what it saw.
//
// Args: path ops seed
import { LogError, openStore, type Store } from '../../src/index.js'
import type { Operation } from '../../src/verify/index.js'
import { exitWithParent, reportFailure } from './child-process.js'
import { HistoryRecorder, type KvClient } from './history-recorder.js'
import { defaultKeys, runWorkload } from './history-workload.js'

export interface ErrorInfo {
  name: string
  code: string | undefined
  sqliteCode: string | undefined
  message: string
}

export interface FsyncWriterReport {
  type: 'report'
  /** Set when opening the store already failed (the shim fired during set-up). */
  open?: ErrorInfo
  operations: Operation[]
  /** The first error any write got. */
  firstError?: ErrorInfo
  /** A put tried after the failure. */
  probe?: ErrorInfo | { revision: number }
  /** A read after the failure answered. */
  readOk: boolean
  read?: ErrorInfo
  close?: ErrorInfo
}

function info(err: unknown): ErrorInfo {
  if (!(err instanceof Error)) return { name: typeof err, code: undefined, sqliteCode: undefined, message: String(err) }
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined
  return { name: err.constructor.name, code, sqliteCode: err instanceof LogError ? err.sqliteCode : undefined, message: err.message }
}

/** The store, remembering the first error a call threw. */
function watched(store: Store, seen: { first?: ErrorInfo }): KvClient {
  const note = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p
    } catch (err) {
      seen.first ??= info(err)
      throw err
    }
  }
  return {
    put: (key, value) => note(store.put(key, value)),
    range: (r) => note(store.range(r)),
    deleteRange: (r) => note(store.deleteRange(r)),
    txn: (r) => note(store.txn(r)),
  }
}

function send(m: FsyncWriterReport): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('fsync-writer runs as a forked child only')
    process.send(m, (err: Error | null) => (err === null ? resolve() : reject(err)))
  })
}

async function main(): Promise<void> {
  const [path, opsArg, seedArg] = process.argv.slice(2)
  if (path === undefined || opsArg === undefined || seedArg === undefined) throw new Error('usage: fsync-writer path ops seed')
  exitWithParent()
  let store: Store
  try {
    store = await openStore({ path, durability: 'strict' })
  } catch (err) {
    await send({ type: 'report', open: info(err), operations: [], readOk: false })
    process.disconnect()
    return
  }
  const seen: { first?: ErrorInfo } = {}
  const kv = watched(store, seen)
  const recorder = new HistoryRecorder()
  const keys = defaultKeys(2)
  await Promise.all([0, 1, 2].map((i) => runWorkload(kv, recorder, { client: `w${i}`, seed: Number(seedArg) + i, ops: Number(opsArg), keys })))
  const report: FsyncWriterReport = { type: 'report', operations: recorder.operations, readOk: false }
  if (seen.first !== undefined) report.firstError = seen.first
  // Recorded too: if it did write, the history must account for its revision.
  const probeSeen: { first?: ErrorInfo } = {}
  const outcome = await recorder.perform('probe', watched(store, probeSeen), { type: 'put', key: 'probe', value: 'after the failure' })
  report.probe = outcome.status === 'ok' ? { revision: outcome.response.revision } : (probeSeen.first ?? { name: 'unknown', code: undefined, sqliteCode: undefined, message: outcome.error })
  try {
    await store.get('k0')
    report.readOk = true
  } catch (err) {
    // Reported; the parent decides whether that is right.
    report.read = info(err)
  }
  try {
    await store.close()
  } catch (err) {
    report.close = info(err)
  }
  await send(report)
  process.disconnect()
}

main().catch(reportFailure)

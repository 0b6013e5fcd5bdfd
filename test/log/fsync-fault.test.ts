// fsync errors: a child process writes with fsync per commit (durability 'strict') and
// test/support/fsync-fault.c preloaded, which makes fsync/fdatasync fail with EIO after N calls.
// The writers must get a typed error (LogError with the SQLite code); the store must then refuse
// every write until it is reopened (a failed fsync leaves the disk state unknown: "fsyncgate"),
// while reads still answer; after a reopen without the shim, store.check() is clean and the
// child's history plus reads of every key checks linearizable: nothing acknowledged is lost, and
// the writes that got the error are unknown outcomes, present or not.
//
// Needs Linux and a C compiler (cc): without cc the test is skipped, or fails when
// ETCHLOG_REQUIRE_CC=1.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fork, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openStore } from '../../src/index.js'
import { checkHistory, type History, type Request } from '../../src/verify/index.js'
import type { FsyncWriterReport } from '../support/fsync-writer.js'
import { prng } from '../support/child-process.js'
import { HistoryRecorder } from '../support/history-recorder.js'
import { defaultKeys } from '../support/history-workload.js'
import { tempDir } from '../support/temp-store.js'

const SHIM_SOURCE = fileURLToPath(new URL('../support/fsync-fault.c', import.meta.url))
const WRITER = fileURLToPath(new URL('../support/fsync-writer.ts', import.meta.url))
const OPS = 120
// Only a hung child waits this long.
const CHILD_DEADLINE_MS = 60_000

/**
 * CI rounds: the first `after` fsync calls succeed (opening a new store takes about a dozen), then
 * `count` fail (undefined: all). With one failure only, a store that kept writing would succeed
 * again, so those rounds show the refusal is the store's own choice.
 */
interface Round {
  after: number
  count?: number
  /** The writers' workload seed (default 4242). */
  workload?: number
}

const CI_ROUNDS: Round[] = [{ after: 16, count: 1 }, { after: 30, count: 1 }, { after: 45 }, { after: 22, count: 3 }]

/** ETCHLOG_FSYNC_ROUNDS=n: a campaign of n rounds with random fault points (ETCHLOG_FSYNC_SEED replays). */
function rounds(): { list: Round[]; seed?: number } {
  const n = Number(process.env.ETCHLOG_FSYNC_ROUNDS ?? 0)
  if (!(n > 0)) return { list: CI_ROUNDS }
  const seed = Number(process.env.ETCHLOG_FSYNC_SEED ?? Math.floor(Math.random() * 1_000_000))
  const random = prng(seed)
  const counts = [1, 1, 3, undefined]
  const list = Array.from({ length: n }, () => {
    const count = counts[Math.floor(random() * counts.length)]
    // Opening takes about a dozen fsyncs and the writers make about 60 commits in all.
    const after = 12 + Math.floor(random() * 60)
    const workload = Math.floor(random() * 1_000_000)
    return count === undefined ? { after, workload } : { after, count, workload }
  })
  return { list, seed }
}

function compileShim(dir: string): string | { missing: string } {
  const out = join(dir, 'fsync-fault.so')
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', out, SHIM_SOURCE, '-ldl'], { encoding: 'utf8' })
  if (cc.error !== undefined) return { missing: `cc not found (${cc.error.message})` }
  assert.equal(cc.status, 0, `cc failed:\n${cc.stderr}`)
  return out
}

/** Runs the writer child with the shim and returns its report (rejects if it dies or hangs). */
function runWriter(shim: string, path: string, round: Round): Promise<FsyncWriterReport> {
  const env: NodeJS.ProcessEnv = { ...process.env, LD_PRELOAD: shim, ETCHLOG_FSYNC_FAIL_AFTER: String(round.after) }
  if (round.count !== undefined) env.ETCHLOG_FSYNC_FAIL_COUNT = String(round.count)
  else delete env.ETCHLOG_FSYNC_FAIL_COUNT
  const child = fork(WRITER, [path, String(OPS), String(round.workload ?? 4242)], { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    // A guard, not a sleep: only a hung child reaches it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`fsync-writer: no report within ${CHILD_DEADLINE_MS} ms`))
    }, CHILD_DEADLINE_MS)
    child.on('message', (m: FsyncWriterReport | { type: 'failure'; error: string }) => {
      clearTimeout(timer)
      if (m.type === 'report') resolve(m)
      else reject(new Error(`fsync-writer failed: ${m.error}`))
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`fsync-writer exited (${code ?? signal}) without a report`))
    })
  })
}

test('an fsync error: a typed error, writes refused until reopen, nothing acknowledged lost, check() clean', { timeout: 300_000 }, async (t) => {
  if (process.platform !== 'linux') {
    // LD_PRELOAD interposition of libc's fsync is how the fault is made; other systems differ.
    t.skip(`the fsync shim needs Linux (this is ${process.platform})`)
    return
  }
  const dir = tempDir('etchlog-fsync-')
  t.after(() => dir.remove())
  const shim = compileShim(dir.path)
  if (typeof shim !== 'string') {
    assert.notEqual(process.env.ETCHLOG_REQUIRE_CC, '1', `ETCHLOG_REQUIRE_CC=1 but ${shim.missing}`)
    t.skip(shim.missing)
    return
  }
  const { list, seed } = rounds()
  if (seed !== undefined) t.diagnostic(`campaign: ${list.length} rounds, ETCHLOG_FSYNC_SEED=${seed}`)
  let writeFailures = 0
  let present = 0
  for (const [i, round] of list.entries()) {
    const path = join(dir.path, `round-${i}.db`)
    const report = await runWriter(shim, path, round)
    if (report.open !== undefined) {
      // The shim fired while the store was being set up: a typed error there too.
      assert.equal(report.open.name, 'LogError', report.open.message)
      assert.match(report.open.sqliteCode ?? '', /^SQLITE_IOERR/)
      t.diagnostic(`round ${i} (after ${round.after}): failed at open with ${report.open.sqliteCode}`)
      continue
    }
    const first = report.firstError
    assert.ok(first !== undefined, `round ${i}: some write must meet the failing fsync`)
    writeFailures++
    assert.equal(first.name, 'LogError', first.message)
    assert.equal(first.code, 'InternalError')
    assert.match(first.sqliteCode ?? '', /^SQLITE_IOERR/, first.message)
    // After the failure: writes refused until reopen (even once fsync works again), reads served.
    assert.ok(report.probe !== undefined && 'name' in report.probe, `round ${i}: a write after the fsync error must be refused, got ${JSON.stringify(report.probe)}`)
    assert.equal(report.probe.name, 'LogError')
    assert.match(report.probe.message, /writes refused since a commit failed/)
    assert.equal(report.readOk, true, `round ${i}: reads after the failure: ${report.read?.message ?? ''}`)

    const store = await openStore({ path, durability: 'strict' })
    const problems = (await store.check()).problems
    const reopened = store.revision
    const acked = report.operations.flatMap((o) => (o.outcome.status === 'ok' ? [o.outcome.response.revision] : []))
    const ackedMax = Math.max(1, ...acked)
    assert.ok(reopened >= ackedMax, `round ${i}: revision ${reopened} after reopen, but ${ackedMax} was acknowledged`)
    // Reads of every key after the reopen join the child's history: it must check linearizable.
    const recorder = new HistoryRecorder()
    for (const key of [...defaultKeys(2), 'probe']) {
      const get: Request = { type: 'get', key }
      await recorder.perform('reopened', store, get)
    }
    await store.close()
    assert.deepEqual(problems, [], `round ${i}: store.check() after reopen`)
    const history: History = { initialRevision: 1, operations: [...report.operations, ...recorder.operations] }
    const unknown = report.operations.filter((o) => o.outcome.status === 'unknown').length
    const r = checkHistory(history)
    t.diagnostic(
      `round ${i} (after ${round.after}, ${round.count ?? 'all'} failing): ${first.sqliteCode} after ${acked.length} acked ops (rev ${ackedMax}); ` +
        `${unknown} unknown; reopened at rev ${reopened} (${reopened > ackedMax ? 'the failed commit is present' : 'the failed commit is absent'}); ${r.verdict}`,
    )
    assert.equal(r.verdict, 'linearizable', `round ${i}: ${r.violation?.message ?? ''}`)
    if (reopened > ackedMax) present++
  }
  t.diagnostic(`${writeFailures} of ${list.length} rounds failed while writing; the failed commit was present after reopen in ${present}`)
  assert.ok(writeFailures >= Math.min(2, list.length), 'rounds met the fsync error while writing')
})

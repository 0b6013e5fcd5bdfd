// Several processes with one database file open at once: CAS increments of a shared counter lose
// no update, revisions never repeat across processes, each process sees the others' writes, and
// a compaction made by one process holds in another.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { openStore } from '../../src/index.js'
import { Child, killChildren } from '../support/child-process.js'
import type { WorkerAck, WorkerReply, WorkerRequest } from '../support/cas-worker.js'
import { tempDir, text } from '../support/temp-store.js'

const WORKER = new URL('../support/cas-worker.ts', import.meta.url)
const COUNTER_KEY = 'shared/counter'
const PROCESSES = 3
// Per process and round: successful increments, own puts, and concurrent loops doing them.
// Every process finishes a round before any starts the next, so their revisions interleave.
const ROUNDS = 3
const INCREMENTS = 100
const PUTS = 30
const LOOPS = 3
// Only a hung child waits this long for a reply.
const CHILD_DEADLINE_MS = 30_000

type Reply<T extends WorkerReply['type']> = Extract<WorkerReply, { type: T }>

class Worker {
  readonly child: Child
  constructor(
    readonly name: string,
    path: string,
  ) {
    this.child = new Child(name, WORKER, [path, name], CHILD_DEADLINE_MS)
  }

  ready(): Promise<Reply<'ready'>> {
    return this.child.next('ready')
  }

  call<T extends WorkerReply['type']>(request: WorkerRequest, replyType: T): Promise<Reply<T>> {
    return this.child.call<Reply<T>>(request, replyType)
  }

  async revision(): Promise<number> {
    return (await this.call({ cmd: 'revision' }, 'revision')).revision
  }

  /** Closes the store and expects a clean exit. */
  async close(): Promise<void> {
    await this.call({ cmd: 'close' }, 'closed')
    const exit = await this.child.exitedWithin()
    assert.deepEqual(exit, { code: 0, signal: null }, `${this.name} exits cleanly`)
  }
}

/** A temp folder whose children are killed and files removed after the test, even on timeout. */
function setup(t: TestContext): string {
  const dir = tempDir('etchlog-multi-')
  t.after(async () => {
    await killChildren()
    dir.remove()
  })
  return join(dir.path, 'etchlog.db')
}

async function startWorkers(path: string, count: number): Promise<Worker[]> {
  const workers = Array.from({ length: count }, (_, i) => new Worker(`p${i}`, path))
  await Promise.all(workers.map((w) => w.ready()))
  return workers
}

/**
 * Revisions acked by one process strictly increase, and no revision is acked twice anywhere.
 * Returns how often the writer changes along the revisions (0: the processes never overlapped).
 */
function checkRevisions(runs: readonly Run[]): number {
  const owner = new Map<number, string>()
  for (const { name, acks } of runs) {
    let last = 0
    for (const a of acks) {
      assert.ok(a.revision > last, `${name}: acked revision ${a.revision} after ${last}`)
      last = a.revision
      const other = owner.get(a.revision)
      assert.equal(other, undefined, `revision ${a.revision} acked by both ${other} and ${name}`)
      owner.set(a.revision, name)
    }
  }
  const names = [...owner.entries()].sort(([x], [y]) => x - y).map(([, name]) => name)
  return names.filter((name, i) => i > 0 && name !== names[i - 1]).length
}

interface Run {
  name: string
  acks: WorkerAck[]
  conflicts: number
}

/** ROUNDS times: every worker does one round of increments and puts, all at once. */
async function runRounds(workers: Worker[]): Promise<Run[]> {
  const runs: Run[] = workers.map((w) => ({ name: w.name, acks: [], conflicts: 0 }))
  const request: WorkerRequest = { cmd: 'run', counterKey: COUNTER_KEY, increments: INCREMENTS, puts: PUTS, loops: LOOPS }
  for (let round = 0; round < ROUNDS; round++) {
    const replies = await Promise.all(workers.map((w) => w.call(request, 'ran')))
    replies.forEach((ran, i) => {
      const r = runs[i]
      assert.ok(r !== undefined, 'one run per worker')
      r.acks.push(...ran.acks)
      r.conflicts += ran.conflicts
    })
  }
  return runs
}

/** No lost update: the acked increments are exactly 1..total, in revision order. */
function checkIncrements(runs: Run[], total: number): void {
  const casAcks = runs.flatMap((r) => r.acks.filter((a) => a.kind === 'cas'))
  assert.deepEqual(
    casAcks.map((a) => Number(a.value)).sort((a, b) => a - b),
    Array.from({ length: total }, (_, i) => i + 1),
    'each increment acked exactly one new counter value',
  )
  // The counter's history follows revisions: a higher revision never holds a lower value.
  const byRevision = [...casAcks].sort((a, b) => a.revision - b.revision)
  byRevision.forEach((a, i) => assert.equal(Number(a.value), i + 1, `increment at revision ${a.revision}`))
}

/** Every process reads the final counter and each process's last own put. */
async function checkEachSeesAll(workers: Worker[], runs: Run[], total: number): Promise<void> {
  for (const w of workers) {
    const counter = await w.call({ cmd: 'get', key: COUNTER_KEY }, 'got')
    assert.equal(counter.kv?.value, String(total), `${w.name} reads the final counter`)
    assert.equal(counter.kv?.version, total, `${w.name}: counter version`)
    for (const r of runs) {
      const last = r.acks.filter((a) => a.kind === 'put').at(-1)
      assert.ok(last !== undefined, `${r.name} put keys`)
      const got = await w.call({ cmd: 'get', key: last.key }, 'got')
      assert.deepEqual([got.kv?.value, got.kv?.modRevision], [last.value, last.revision], `${w.name} reads ${last.key}`)
    }
  }
}

/** store.revision follows another process's commit without the reader writing anything. */
async function checkRevisionFollows(workers: Worker[]): Promise<void> {
  for (const [i, reader] of workers.entries()) {
    const writer = workers[(i + 1) % workers.length]
    assert.ok(writer !== undefined, 'writer index within workers')
    const before = await reader.revision()
    const put = await writer.call({ cmd: 'put', key: `seen/${reader.name}`, value: writer.name }, 'put')
    assert.equal(put.revision, before + 1, `${writer.name}'s put takes the next revision after ${reader.name}'s view`)
    assert.equal(await reader.revision(), put.revision, `${reader.name} sees ${writer.name}'s revision`)
    const got = await reader.call({ cmd: 'get', key: `seen/${reader.name}` }, 'got')
    assert.deepEqual([got.kv?.value, got.kv?.modRevision], [writer.name, put.revision], `${reader.name} reads ${writer.name}'s put`)
  }
}

/** Once every worker closed, this process reads each ack back at its revision. */
async function checkHistory(path: string, runs: Run[]): Promise<void> {
  const store = await openStore({ path })
  try {
    for (const a of runs.flatMap((r) => r.acks)) {
      const kv = await store.get(a.key, { revision: a.revision })
      assert.deepEqual([text(kv?.value), kv?.modRevision], [a.value, a.revision], `${a.key} at acked revision ${a.revision}`)
    }
    const report = await store.check()
    assert.deepEqual(report.problems, [], 'store.check() after all processes closed')
  } finally {
    await store.close()
  }
}

test(`${PROCESSES} processes: CAS increments lose no update, revisions never repeat`, { timeout: 90_000 }, async (t) => {
  const path = setup(t)
  // All open the new file at the same moment: creating the schema races too.
  const workers = await startWorkers(path, PROCESSES)
  const runs = await runRounds(workers)
  const total = PROCESSES * ROUNDS * INCREMENTS
  for (const r of runs) assert.equal(r.acks.length, ROUNDS * (INCREMENTS + PUTS), `${r.name}: every write acked`)
  const switches = checkRevisions(runs)
  const conflicts = runs.reduce((n, r) => n + r.conflicts, 0)
  t.diagnostic(`${total} increments, ${conflicts} lost CAS races retried, writer changed ${switches} times`)
  assert.ok(conflicts > 0, 'the CAS loops actually raced')
  // Each round holds every process's writes, so the writer changes at least P-1 times per round.
  assert.ok(switches >= ROUNDS * (PROCESSES - 1), 'the processes\' revisions interleave')
  checkIncrements(runs, total)
  await checkEachSeesAll(workers, runs, total)
  await checkRevisionFollows(workers)
  const checked = await workers[0]?.call({ cmd: 'check' }, 'checked')
  assert.deepEqual(checked?.problems, [], 'store.check() in a worker')
  await Promise.all(workers.map((w) => w.close()))
  // After a timeout the cleanup has removed the folder: do not recreate it.
  t.signal.throwIfAborted()
  await checkHistory(path, runs)
})

test('a compaction made by one process fails older reads in another', { timeout: 60_000 }, async (t) => {
  const path = setup(t)
  const [a, b] = await startWorkers(path, 2)
  assert.ok(a !== undefined && b !== undefined, 'two workers')
  const revs: number[] = []
  for (const value of ['v1', 'v2', 'v3', 'v4']) {
    revs.push((await a.call({ cmd: 'put', key: 'x', value }, 'put')).revision)
  }
  const [r1, r2, r3, r4] = revs as [number, number, number, number] // four puts above
  const readAt = (revision: number): Promise<Reply<'got'>> => b.call({ cmd: 'get', key: 'x', revision }, 'got')
  // Before: B reads the whole history A wrote.
  assert.equal((await readAt(r1)).kv?.value, 'v1')

  await a.call({ cmd: 'compact', revision: r2, physical: false }, 'compacted')
  const below = await readAt(r1)
  assert.equal(below.kv, undefined, 'no value below the compaction point')
  assert.deepEqual([below.error?.name, below.error?.code], ['CompactedError', 'Expired'], 'B reads below A\'s compaction')
  assert.equal((await readAt(r2)).kv?.value, 'v2', 'the compaction revision itself stays readable')
  assert.equal((await b.call({ cmd: 'revision' }, 'revision')).compactRevision, r2, 'B learns the compaction point')
  // B's own compaction at or below A's point is refused: the point is shared, on disk.
  const again = await b.call({ cmd: 'compact', revision: r2, physical: false }, 'compacted')
  assert.equal(again.error?.code, 'Expired', 'B cannot compact at A\'s point again')

  // Physical compaction by A removes the rows; B still reads the current state and at the point.
  await a.call({ cmd: 'compact', revision: r3, physical: true }, 'compacted')
  assert.equal((await readAt(r2)).error?.code, 'Expired', 'B reads below the physical compaction')
  assert.equal((await readAt(r3)).kv?.value, 'v3')
  assert.equal((await b.call({ cmd: 'get', key: 'x' }, 'got')).kv?.value, 'v4')
  assert.equal((await readAt(r4)).kv?.value, 'v4')
  // B writes on after A's compaction, and the store stays consistent for both.
  const after = await b.call({ cmd: 'put', key: 'x', value: 'v5' }, 'put')
  assert.equal(after.revision, r4 + 1)
  for (const w of [a, b]) assert.deepEqual((await w.call({ cmd: 'check' }, 'checked')).problems, [], `${w.name}: check()`)
  await Promise.all([a.close(), b.close()])
})

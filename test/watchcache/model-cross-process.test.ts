// The watch model (test/support/watch-model.ts) with the writes made by another process on the
// same database file: a child (test/support/watch-model-child.ts) performs every put, delete, txn,
// compaction, lease and clock tick on its own store, and the watchers live in this process, whose
// cache learns of the child's commits only by noticing that the file changed (reading
// store.revision, as its poll would). Each watcher must still see exactly its slice of the
// history, or a documented ending (overflow, compacted, including a compaction by the child past
// the cache's read position, W6: steps marked lagging let the child run ahead unnoticed). One
// child serves every run, each on a fresh file.
// WATCH_XPROC_MODEL_RUNS scales the number of runs (default 25; about 10 s here).
import { test } from 'node:test'
import fc from 'fast-check'
import { join } from 'node:path'
import { FakeClock, openStore } from '../../src/index.js'
import { Child, killChildren } from '../support/child-process.js'
import { tempDir } from '../support/temp-store.js'
import { commandArb, modelLimits, runModel, type Command, type ModelWriter } from '../support/watch-model.js'
import type { ModelRequest } from '../support/watch-model-child.js'
import { keys } from '../support/model-arbitraries.js'

const CHILD = new URL('../support/watch-model-child.ts', import.meta.url)
const runs = Number(process.env['WATCH_XPROC_MODEL_RUNS'] ?? 25)
// Only a hung child reaches it.
const CHILD_DEADLINE_MS = 60_000

interface Step {
  command: Command
  /** Do not read the watchers after it (runModel's lagging). */
  lag: boolean
}

// A burst: two puts to one key and a compaction at the head, none of them noticed at once, so
// the compaction removes a version the cache has not read yet (the cache must end its watchers
// as compacted rather than skip it, W6). Rare among random commands, hence its own arbitrary.
const burstArb: fc.Arbitrary<Step[]> = fc.record({ key: fc.constantFrom(...keys), value: fc.nat(8) }).map(({ key, value }) =>
  [
    { kind: 'put' as const, key, value, lease: false },
    { kind: 'put' as const, key, value: value + 1, lease: false },
    { kind: 'compact' as const, back: 0 },
  ].map((command) => ({ command, lag: true })),
)
const stepsArb: fc.Arbitrary<Step[]> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ command: commandArb, lag: fc.boolean() }).map((step) => [step]) },
      { weight: 1, arbitrary: burstArb },
    ),
    { minLength: 3, maxLength: 24 },
  )
  .map((groups) => groups.flat())

async function call(child: Child, request: ModelRequest, replyType: string): Promise<void> {
  await child.call(request, replyType)
}

async function run(child: Child, commands: Command[], lagging: boolean[]): Promise<void> {
  const dir = tempDir()
  const path = join(dir.path, 'etchlog.db')
  // This process's clock never moves: it notices the child's commits when it reads the head.
  const store = await openStore({ path, clock: new FakeClock(), durability: 'relaxed', limits: modelLimits })
  try {
    await call(child, { cmd: 'open', path }, 'opened')
    const writer: ModelWriter = {
      write: (command) => call(child, { cmd: 'write', command }, 'wrote'),
      flush: () => call(child, { cmd: 'flush' }, 'flushed'),
    }
    await runModel(store, writer, commands, lagging)
    await call(child, { cmd: 'close' }, 'closed')
    const report = await store.check()
    if (report.problems.length > 0) throw new Error(`store.check(): ${JSON.stringify(report.problems)}`)
  } finally {
    await store.close()
    dir.remove()
  }
}

test('model across processes: watchers here see exactly the slice of what another process wrote, or a documented ending', async (t) => {
  t.after(killChildren)
  const child = new Child('model-writer', CHILD, [], CHILD_DEADLINE_MS)
  await child.next('ready')
  await fc.assert(
    fc.asyncProperty(stepsArb, (steps) => run(child, steps.map((s) => s.command), steps.map((s) => s.lag))),
    { numRuns: runs, verbose: 1 },
  )
  await child.kill()
})

const k0 = Buffer.from([0])
const all = { rangeEnd: Buffer.from([0]) }

test('regression (seed -116861016): a watch opened below a compaction its feed has not read yet answers at once with that compaction (W5), not a later one', async (t) => {
  t.after(killChildren)
  const child = new Child('model-writer', CHILD, [], CHILD_DEADLINE_MS)
  await child.next('ready')
  const put = (value: number): Command => ({ kind: 'put', key: k0, value, lease: false })
  const watch = (start: number | undefined, slow: boolean): Command => ({ kind: 'watch', key: k0, end: all, start, filters: [], prevKv: false, slow })
  const steps: Step[] = [
    { command: put(0), lag: false },
    { command: watch(undefined, false), lag: false },
    { command: { kind: 'compact', back: 0 }, lag: true },
    { command: put(0), lag: true },
    { command: watch(-2, true), lag: false },
    { command: put(0), lag: true },
    { command: put(1), lag: true },
    { command: { kind: 'compact', back: 0 }, lag: true },
    { command: put(0), lag: false },
    { command: { kind: 'txn', keys: [k0] }, lag: false },
    { command: watch(0, false), lag: false },
  ]
  await run(child, steps.map((s) => s.command), steps.map((s) => s.lag))
  await child.kill()
})

// Model-based watch test, writes in this process: see test/support/watch-model.ts for what is
// generated and checked (W3, W5-W10); model-cross-process.test.ts runs the same model with the
// writes made by another process. WATCH_MODEL_RUNS scales the number of runs (default 25).
import { test } from 'node:test'
import fc from 'fast-check'
import { FakeClock } from '../../src/index.js'
import { tempStore } from '../support/temp-store.js'
import { commandArb, localWriter, modelLimits, runModel, type Command } from '../support/watch-model.js'

const runs = Number(process.env['WATCH_MODEL_RUNS'] ?? 25)

async function run(commands: Command[]): Promise<void> {
  const clock = new FakeClock()
  const ts = await tempStore({ clock, durability: 'relaxed', limits: modelLimits })
  try {
    await runModel(ts.store, localWriter(ts.store, clock), commands)
  } finally {
    await ts.done()
  }
}

test('model: every watcher gets exactly its slice of the history, or a documented ending', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 30 }), (commands) => run(commands)),
    { numRuns: runs, verbose: 1 },
  )
})

test('regression (seed 1311721324): a watch on an empty range that starts ahead of the store is refused at once (W2), and the model reads that answer', async () => {
  // key "b", rangeEnd "b": no key can be in it. Start 2 on a store at revision 1 is a future
  // start, for which a watch says nothing (#20221); the refusal comes anyway.
  await run([{ kind: 'watch', key: Buffer.from('b'), end: { rangeEnd: Buffer.from('b') }, start: 2, filters: [], prevKv: false, slow: false }])
})

// The differential test over the wire: the random steps of test/diff (same generators) go through
// the same gRPC client (test/support/etcd-client.ts) to a real etcd 3.4 and to the front, and
// every answer is compared as in test/diff, with the same exclusions (listed at the top of
// test/diff/etcd-diff.test.ts). ETCHLOG_WIRE_DIFF_OPS (default 600) and ETCHLOG_DIFF_SEED.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import fc from 'fast-check'
import { show } from '../diff/outcomes.js'
import { stepArb } from '../diff/steps.js'
import { startTestFront } from '../support/etcd-front.js'
import { findEtcd, startEtcd } from '../support/etcd-server.js'
import { runStep, WirePair } from './wire-pair.js'

const opsTotal = Number(process.env.ETCHLOG_WIRE_DIFF_OPS ?? 600)
const seed = process.env.ETCHLOG_DIFF_SEED !== undefined ? Number(process.env.ETCHLOG_DIFF_SEED) : Math.floor(Math.random() * 2 ** 31)
test('the front answers random KV, txn, compaction and lease sequences over gRPC exactly as etcd 3.4 does', async (t: TestContext) => {
  const bin = findEtcd()
  if (bin === undefined) {
    const why = 'etcd not installed (.ci/run unpacks Debian etcd-server; or set ETCHLOG_ETCD_BIN)'
    if (process.env.ETCHLOG_REQUIRE_ETCD === '1') assert.fail(why)
    t.skip(why)
    return
  }
  t.diagnostic(`seed ${seed}, ${opsTotal} ops`)
  const server = await startEtcd(bin)
  t.after(() => server.stop())
  const f = await startTestFront(t)
  const p = new WirePair(server.endpoint, f.endpoint)
  t.after(() => {
    p.etcd.close()
    p.front.close()
  })
  const steps = fc.sample(stepArb, { seed, numRuns: opsTotal })
  const history: string[] = []
  for (const [i, gen] of steps.entries()) {
    p.ctx.revision = f.store.revision
    p.ctx.compactRevision = f.store.compactRevision
    const step = gen(p.ctx)
    history.push(`#${i} ${show(step)}`)
    try {
      await runStep(p, step)
    } catch (err) {
      throw new Error(`step ${i} (replay: ETCHLOG_DIFF_SEED=${seed} ETCHLOG_WIRE_DIFF_OPS=${opsTotal}); last steps:\n${history.slice(-6).join('\n')}\n${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    p.count(step.kind)
  }
  const all = { key: Buffer.from([0]), rangeEnd: Buffer.from([0]) }
  await p.both('final state', (c) => c.range(all))
  t.diagnostic([...p.stats].sort().map(([k, v]) => `${k}=${v}`).join(', '))
})

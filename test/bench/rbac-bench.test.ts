// Smoke: the RBAC bench runs at tiny size and reports a figure for every case (so it cannot rot).
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { quickRbac, runRbacBench } from '../../bench/apiserver/rbac.bench.js'

it('bench/apiserver/rbac runs and measures every case', async () => {
  const rows = await runRbacBench({ ...quickRbac, timeMs: 5, warmupMs: 1, batch: 10 })
  assert.equal(rows.length, 5)
  for (const r of rows) assert.ok(Number.isFinite(r.usPerDecision) && r.usPerDecision > 0, r.task)
})

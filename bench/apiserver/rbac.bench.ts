// Warm RBAC decisions: RbacAuthorizer.authorize for users with a handful of bindings, among many
// bindings of other users (the indexes must make those irrelevant).
//
// Estimate: a decision builds 2-4 subject keys (string concat), does 2-4 Map lookups per scope
// (cluster, namespace), and for each binding found probes a few compiled rules (3-4 Set.has each).
// A handful of bindings x a few rules is ~20-60 hash probes: ~0.3-1 us. The target is < 5 us;
// a denial walks every binding of the user and should cost about the same as a late allow.
//
// One tinybench iteration runs `batch` decisions (a single call is near the timer's resolution),
// so the reported figure is p50 of (iteration time / batch). Run alone:
//   npx tsx bench/apiserver/rbac.bench.ts [--quick]
import { pathToFileURL } from 'node:url'
import { Bench } from 'tinybench'
import { RbacAuthorizer, resourceAttributes, type Attributes } from '../../src/apiserver/auth/index.js'
import type { KubeObject } from '../../src/codec/index.js'
import { clusterRole, clusterRoleBinding, policyObjects, role, roleBinding, user, users } from '../../test/support/rbac-fixtures.js'

export interface RbacBenchOptions {
  /** Bindings of other users, spread over `namespaces` namespaces. */
  noiseBindings: number
  namespaces: number
  batch: number
  timeMs: number
  warmupMs: number
}

export interface RbacBenchRow {
  task: string
  /** Median microseconds per decision. */
  usPerDecision: number
  /** 99th percentile microseconds per decision (over batches). */
  usPerDecisionP99: number
}

export const quickRbac: RbacBenchOptions = { noiseBindings: 200, namespaces: 20, batch: 100, timeMs: 50, warmupMs: 10 }
export const fullRbac: RbacBenchOptions = { noiseBindings: 5000, namespaces: 200, batch: 1000, timeMs: 1000, warmupMs: 200 }

/** The bench user: 5 bindings (2 cluster-wide, 3 in ns-1), the asked-for rule in the last one. */
function benchUserObjects(): KubeObject[] {
  const rules = (resource: string) => [
    { apiGroups: ['batch'], resources: [resource], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: [`${resource}-x`], verbs: ['get'] },
  ]
  return [
    clusterRole('bench-a', rules('a')),
    clusterRole('bench-b', rules('b')),
    clusterRoleBinding('bench-a', 'bench-a', [{ kind: 'User', name: 'bench' }]),
    clusterRoleBinding('bench-b', 'bench-b', [{ kind: 'Group', name: 'bench-group' }]),
    role('ns-1', 'bench-c', rules('c')),
    role('ns-1', 'bench-d', rules('d')),
    role('ns-1', 'bench-e', [...rules('e'), { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'update', 'patch'] }]),
    roleBinding('ns-1', 'bench-c', { kind: 'Role', name: 'bench-c' }, [{ kind: 'User', name: 'bench' }]),
    roleBinding('ns-1', 'bench-d', { kind: 'Role', name: 'bench-d' }, [{ kind: 'Group', name: 'bench-group' }]),
    roleBinding('ns-1', 'bench-e', { kind: 'Role', name: 'bench-e' }, [{ kind: 'User', name: 'bench' }]),
  ]
}

function noise(o: RbacBenchOptions): KubeObject[] {
  const out: KubeObject[] = []
  for (let i = 0; i < o.noiseBindings; i++) {
    const ns = `ns-${i % o.namespaces}`
    if (i % 10 === 0) out.push(clusterRoleBinding(`noise-${i}`, 'view', [{ kind: 'User', name: `user-${i}` }]))
    else out.push(roleBinding(ns, `noise-${i}`, { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: `user-${i}` }, { kind: 'Group', name: `group-${i}` }]))
  }
  return out
}

export async function runRbacBench(o: RbacBenchOptions): Promise<RbacBenchRow[]> {
  const rbac = new RbacAuthorizer()
  rbac.reset([...policyObjects(), ...benchUserObjects(), ...noise(o)])
  const bench = user('bench', ['bench-group'])
  const cases: [string, Attributes, boolean][] = [
    ['allow/5-bindings/last-rule', resourceAttributes(bench, { verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'ns-1', name: 'web' }), true],
    ['deny/5-bindings/other-namespace', resourceAttributes(bench, { verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'ns-2', name: 'web' }), false],
    ['allow/cicd-sa/rolebinding', resourceAttributes(users.deployer, { verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'payments', name: 'web' }), true],
    ['allow/aggregated-view/clusterrolebinding', resourceAttributes(users.alice, { verb: 'list', resource: 'pods', namespace: 'ns-3' }), true],
    ['allow/system-masters', resourceAttributes(users.mallory, { verb: 'delete', resource: 'nodes', name: 'n1' }), true],
  ]
  const b = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: 16, throws: true })
  const total = o.noiseBindings + 20
  for (const [name, attrs, expected] of cases) {
    if (rbac.authorize(attrs).allowed !== expected) throw new Error(`bench: ${name} decided wrong`)
    b.add(`rbac/${name}/bindings=${total}`, () => {
      // Count the answers and check them, so no decision can be optimised away.
      let allowed = 0
      for (let i = 0; i < o.batch; i++) if (rbac.authorize(attrs).allowed) allowed++
      if (allowed !== (expected ? o.batch : 0)) throw new Error(`bench: ${name} decided wrong in a batch`)
    })
  }
  await b.run()
  return b.tasks.map((t) => {
    const latency = t.result?.latency
    if (latency?.p50 === undefined || latency.p99 === undefined) throw new Error(`bench: ${t.name} has no result`)
    return { task: t.name, usPerDecision: (latency.p50 * 1000) / o.batch, usPerDecisionP99: (latency.p99 * 1000) / o.batch }
  })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runRbacBench(process.argv.includes('--quick') ? quickRbac : fullRbac)
  console.table(rows.map((r) => ({ task: r.task, 'us/decision p50': r.usPerDecision.toFixed(3), 'us/decision p99': r.usPerDecisionP99.toFixed(3) })))
}

// Cost of the PATCH engines on a realistic Deployment (3 containers with env, ports, mounts;
// ~3 KiB of JSON) with managedFields from two managers: what one PATCH request spends in them.
//
// Estimate: every engine deep-copies the object (~3 KiB: a few us with structuredClone) and walks
// it once or twice. A merge patch should be ~5-10 us, a strategic merge patch ~10-30 us (list
// lookups by key), server-side apply the heaviest: it builds field sets of the live object, the
// merged object and the configuration (some hundreds of paths each) and re-encodes managedFields,
// so ~100-300 us. All well under the ~1 ms a write costs in the store.
//
//   npx tsx bench/apiserver/patch.bench.ts [--quick]     (standalone, not part of bench/run.ts)
import { Bench } from 'tinybench'
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  serverSideApply,
  strategicSchemaFor,
  trackUpdate,
  type KubeObject,
} from '../../src/apiserver/patch/index.js'

const quick = process.argv.includes('--quick')

function deployment(image: string, replicas: number): KubeObject {
  const container = (name: string, port: number) => ({
    name,
    image: `${name}:${image}`,
    ports: [{ containerPort: port, name: 'http' }],
    env: Array.from({ length: 8 }, (_, i) => ({ name: `VAR_${i}`, value: `value-${i}` })),
    volumeMounts: [{ name: 'cfg', mountPath: `/etc/${name}` }],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
  })
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'payments', labels: { app: 'web', tier: 'fe' }, annotations: { team: 'payments' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'fe' } },
        spec: { containers: [container('web', 80), container('sidecar', 9901), container('metrics', 9090)], volumes: [{ name: 'cfg', configMap: { name: 'web' } }] },
      },
    },
  }
}

const now = '2026-12-08T00:00:00Z'
const created = trackUpdate(undefined, deployment('1', 2), { manager: 'kubectl-client-side-apply', now })
const live = serverSideApply(created, deployment('1', 2), { manager: 'kubectl', force: false, now })
const schema = strategicSchemaFor('apps/v1', 'Deployment')
if (schema === undefined) throw new Error('no Deployment table')
const setImage = { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } } } }

const bench = new Bench({ time: quick ? 10 : 500, iterations: quick ? 1 : 10 })
bench
  .add('baseline/structuredClone', () => structuredClone(live))
  .add('patch/json/replace-image', () => applyJsonPatch(live, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'web:2' }]))
  .add('patch/merge/label', () => applyMergePatch(live, { metadata: { labels: { env: 'prod' } } }))
  .add('patch/strategic/set-image', () => applyStrategicMergePatch(live, setImage, schema))
  .add('patch/track-update/set-image', () => trackUpdate(live, applyStrategicMergePatch(live, setImage, schema) as KubeObject, { manager: 'kubectl-set', now }))
  .add('patch/apply/unchanged', () => serverSideApply(live, deployment('1', 2), { manager: 'kubectl', force: false, now }))
  .add('patch/apply/changed-image', () => serverSideApply(live, deployment('2', 2), { manager: 'kubectl', force: true, now }))
await bench.run()
console.log(`object: ${JSON.stringify(live).length} bytes of JSON with managedFields`)
console.table(bench.tasks.map((t) => ({ task: t.name, 'mean us': ((t.result?.mean ?? NaN) * 1000).toFixed(1), 'p99 us': ((t.result?.p99 ?? NaN) * 1000).toFixed(1), samples: t.result?.samples.length })))

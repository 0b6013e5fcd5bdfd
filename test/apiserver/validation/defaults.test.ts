import { test } from 'node:test'
import assert from 'node:assert/strict'
import { defaultObject, defaultPullPolicy } from '../../../src/apiserver/validation/index.js'

// JSON navigation in assertions only: the values are checked by deepEqual, so a loose type is enough here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>

const podSpec = (): Obj => ({ containers: [{ name: 'a', image: 'nginx:1.27', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }] })

test('image pull policy: Always for :latest or no tag, else IfNotPresent', () => {
  const table: Array<[string, string]> = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['registry:5000/team/app', 'Always'],
    ['registry:5000/team/app:latest', 'Always'],
    ['registry:5000/team/app:1.0', 'IfNotPresent'],
    ['nginx:1.27', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ]
  for (const [image, policy] of table) assert.equal(defaultPullPolicy(image), policy, image)
})

test('pod defaults', () => {
  const pod = defaultObject('v1', 'Pod', { metadata: { name: 'p' }, spec: podSpec() }) as Obj
  const s = pod.spec
  assert.deepEqual(
    [s.restartPolicy, s.dnsPolicy, s.terminationGracePeriodSeconds, s.schedulerName, s.securityContext, s.enableServiceLinks],
    ['Always', 'ClusterFirst', 30, 'default-scheduler', {}, true],
  )
  const c = s.containers[0]
  assert.deepEqual(
    [c.terminationMessagePath, c.terminationMessagePolicy, c.imagePullPolicy, c.ports[0].protocol, c.resources],
    ['/dev/termination-log', 'File', 'IfNotPresent', 'TCP', {}],
  )
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 })
})

test('user values are never overwritten, and the input is not mutated', () => {
  const input = { spec: { ...podSpec(), restartPolicy: 'Never', terminationGracePeriodSeconds: 5 } }
  const pod = defaultObject('v1', 'Pod', input) as Obj
  assert.equal(pod.spec.restartPolicy, 'Never')
  assert.equal(pod.spec.terminationGracePeriodSeconds, 5)
  assert.equal((input.spec as Obj).dnsPolicy, undefined)
})

test('workload defaults', () => {
  const d = defaultObject('apps/v1', 'Deployment', { spec: { template: { spec: podSpec() } } }) as Obj
  assert.deepEqual([d.spec.replicas, d.spec.revisionHistoryLimit, d.spec.progressDeadlineSeconds], [1, 10, 600])
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } })
  assert.equal(d.spec.template.spec.restartPolicy, 'Always')
  const recreate = defaultObject('apps/v1', 'Deployment', { spec: { strategy: { type: 'Recreate' } } }) as Obj
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' })
  const sts = defaultObject('apps/v1', 'StatefulSet', { spec: {} }) as Obj
  assert.deepEqual([sts.spec.replicas, sts.spec.podManagementPolicy, sts.spec.updateStrategy], [1, 'OrderedReady', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }])
  const ds = defaultObject('apps/v1', 'DaemonSet', { spec: {} }) as Obj
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } })
  const rs = defaultObject('apps/v1', 'ReplicaSet', { spec: {} }) as Obj
  assert.equal(rs.spec.replicas, 1)
})

test('job and cronjob defaults', () => {
  const job = defaultObject('batch/v1', 'Job', { spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } } }) as Obj
  assert.deepEqual(
    [job.spec.completions, job.spec.parallelism, job.spec.backoffLimit, job.spec.completionMode, job.spec.suspend, job.spec.podReplacementPolicy],
    [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed'],
  )
  assert.equal(job.spec.template.spec.restartPolicy, 'Never')
  const parallel = defaultObject('batch/v1', 'Job', { spec: { parallelism: 3 } }) as Obj
  assert.equal(parallel.spec.completions, undefined, 'completions stays unset when parallelism is given')
  const cj = defaultObject('batch/v1', 'CronJob', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: podSpec() } } } } }) as Obj
  assert.deepEqual([cj.spec.concurrencyPolicy, cj.spec.suspend, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', false, 3, 1])
  assert.equal(cj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst')
})

test('service, secret, namespace, volume claims', () => {
  const svc = defaultObject('v1', 'Service', { spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } }) as Obj
  assert.deepEqual([svc.spec.type, svc.spec.sessionAffinity, svc.spec.internalTrafficPolicy], ['ClusterIP', 'None', 'Cluster'])
  assert.deepEqual(svc.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }])
  const np = defaultObject('v1', 'Service', { spec: { type: 'NodePort', ports: [] } }) as Obj
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster')
  assert.equal((defaultObject('v1', 'Secret', {}) as Obj).type, 'Opaque')
  assert.equal((defaultObject('v1', 'Secret', { type: 'kubernetes.io/tls' }) as Obj).type, 'kubernetes.io/tls')
  const ns = defaultObject('v1', 'Namespace', {}) as Obj
  assert.deepEqual([ns.spec.finalizers, ns.status.phase], [['kubernetes'], 'Active'])
  assert.equal((defaultObject('v1', 'PersistentVolumeClaim', { spec: {} }) as Obj).spec.volumeMode, 'Filesystem')
  assert.deepEqual(defaultObject('v1', 'ConfigMap', { data: { a: 'b' } }), { data: { a: 'b' } })
})

test('values of the wrong type are left for validation to report', () => {
  assert.deepEqual(defaultObject('apps/v1', 'Deployment', { spec: 'oops' }), { spec: 'oops' })
  const d = defaultObject('apps/v1', 'Deployment', { spec: { strategy: 7, template: { spec: { containers: 'x' } } } }) as Obj
  assert.equal(d.spec.strategy, 7)
  assert.equal(d.spec.template.spec.containers, 'x')
})

// Defaulting of built-in kinds, as Kubernetes' generated defaulters do on decode: fields a
// user leaves out get the value the real server would store, so `kubectl get -o yaml` after
// `kubectl apply` shows the same object as on a real cluster. Only absent fields are filled;
// nothing a user set is changed. Returns a defaulted copy.

type Obj = Record<string, unknown>

function obj(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined
}

/** The object at `key`, created empty when absent. A value of the wrong type is left alone
 *  (a detached object is returned) so schema validation still reports it. */
function child(o: Obj, key: string): Obj {
  const existing = obj(o[key])
  if (existing !== undefined) return existing
  if (o[key] !== undefined && o[key] !== null) return {}
  const created: Obj = {}
  o[key] = created
  return created
}

function set(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value
}

function each(list: unknown, fn: (item: Obj) => void): void {
  if (!Array.isArray(list)) return
  for (const item of list) {
    const o = obj(item)
    if (o !== undefined) fn(o)
  }
}

/** Always when the image has no tag or the tag is `latest` (and no digest), else IfNotPresent. */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  if (typeof image !== 'string') return 'IfNotPresent'
  if (image.includes('@')) return 'IfNotPresent'
  const lastSegment = image.slice(image.lastIndexOf('/') + 1)
  const colon = lastSegment.lastIndexOf(':')
  if (colon < 0) return 'Always'
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent'
}

function defaultProbe(p: unknown): void {
  const probe = obj(p)
  if (probe === undefined) return
  set(probe, 'timeoutSeconds', 1)
  set(probe, 'periodSeconds', 10)
  set(probe, 'successThreshold', 1)
  set(probe, 'failureThreshold', 3)
  const http = obj(probe.httpGet)
  if (http !== undefined) set(http, 'scheme', 'HTTP')
}

function defaultContainer(c: Obj): void {
  set(c, 'terminationMessagePath', '/dev/termination-log')
  set(c, 'terminationMessagePolicy', 'File')
  set(c, 'imagePullPolicy', defaultPullPolicy(c.image))
  set(c, 'resources', {})
  each(c.ports, (p) => set(p, 'protocol', 'TCP'))
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[k])
}

export function defaultPodSpec(spec: Obj): void {
  set(spec, 'restartPolicy', 'Always')
  set(spec, 'dnsPolicy', 'ClusterFirst')
  set(spec, 'terminationGracePeriodSeconds', 30)
  set(spec, 'schedulerName', 'default-scheduler')
  set(spec, 'securityContext', {})
  set(spec, 'enableServiceLinks', true)
  each(spec.containers, defaultContainer)
  each(spec.initContainers, defaultContainer)
  each(spec.volumes, (v) => {
    for (const k of ['configMap', 'secret']) {
      const src = obj(v[k])
      if (src !== undefined) set(src, 'defaultMode', 420)
    }
  })
}

function defaultTemplate(spec: Obj): void {
  const template = obj(spec.template)
  const podSpec = template === undefined ? undefined : obj(template.spec)
  if (podSpec !== undefined) defaultPodSpec(podSpec)
}

function rollingUpdate(strategy: Obj, fields: Obj): void {
  if (strategy.type !== 'RollingUpdate') return
  const ru = child(strategy, 'rollingUpdate')
  for (const [k, v] of Object.entries(fields)) set(ru, k, v)
}

const byKind: Record<string, (o: Obj) => void> = {
  'v1/Pod': (o) => defaultPodSpec(child(o, 'spec')),
  'v1/PodTemplate': (o) => defaultTemplate(o),
  'v1/ReplicationController': (o) => {
    const spec = child(o, 'spec')
    set(spec, 'replicas', 1)
    defaultTemplate(spec)
  },
  'v1/Service': (o) => {
    const spec = child(o, 'spec')
    set(spec, 'type', 'ClusterIP')
    set(spec, 'sessionAffinity', 'None')
    if (spec.type !== 'ExternalName') set(spec, 'internalTrafficPolicy', 'Cluster')
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') set(spec, 'externalTrafficPolicy', 'Cluster')
    each(spec.ports, (p) => {
      set(p, 'protocol', 'TCP')
      set(p, 'targetPort', p.port)
    })
  },
  'v1/Secret': (o) => set(o, 'type', 'Opaque'),
  'v1/Namespace': (o) => {
    set(child(o, 'spec'), 'finalizers', ['kubernetes'])
    set(child(o, 'status'), 'phase', 'Active')
  },
  'v1/PersistentVolumeClaim': (o) => set(child(o, 'spec'), 'volumeMode', 'Filesystem'),
  'v1/PersistentVolume': (o) => {
    const spec = child(o, 'spec')
    set(spec, 'persistentVolumeReclaimPolicy', 'Retain')
    set(spec, 'volumeMode', 'Filesystem')
  },
  'apps/v1/Deployment': (o) => {
    const spec = child(o, 'spec')
    set(spec, 'replicas', 1)
    const strategy = child(spec, 'strategy')
    set(strategy, 'type', 'RollingUpdate')
    rollingUpdate(strategy, { maxUnavailable: '25%', maxSurge: '25%' })
    set(spec, 'revisionHistoryLimit', 10)
    set(spec, 'progressDeadlineSeconds', 600)
    defaultTemplate(spec)
  },
  'apps/v1/ReplicaSet': (o) => {
    const spec = child(o, 'spec')
    set(spec, 'replicas', 1)
    defaultTemplate(spec)
  },
  'apps/v1/StatefulSet': (o) => {
    const spec = child(o, 'spec')
    set(spec, 'replicas', 1)
    set(spec, 'podManagementPolicy', 'OrderedReady')
    const strategy = child(spec, 'updateStrategy')
    set(strategy, 'type', 'RollingUpdate')
    rollingUpdate(strategy, { partition: 0 })
    set(spec, 'revisionHistoryLimit', 10)
    set(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' })
    defaultTemplate(spec)
  },
  'apps/v1/DaemonSet': (o) => {
    const spec = child(o, 'spec')
    const strategy = child(spec, 'updateStrategy')
    set(strategy, 'type', 'RollingUpdate')
    rollingUpdate(strategy, { maxUnavailable: 1, maxSurge: 0 })
    set(spec, 'revisionHistoryLimit', 10)
    defaultTemplate(spec)
  },
  'batch/v1/Job': (o) => defaultJobSpec(child(o, 'spec')),
  'batch/v1/CronJob': (o) => {
    const spec = child(o, 'spec')
    set(spec, 'concurrencyPolicy', 'Allow')
    set(spec, 'suspend', false)
    set(spec, 'successfulJobsHistoryLimit', 3)
    set(spec, 'failedJobsHistoryLimit', 1)
    const jobSpec = obj(obj(spec.jobTemplate)?.spec)
    if (jobSpec !== undefined) defaultTemplate(jobSpec)
  },
}

function defaultJobSpec(spec: Obj): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1
    spec.parallelism = 1
  }
  set(spec, 'parallelism', 1)
  set(spec, 'backoffLimit', 6)
  set(spec, 'completionMode', 'NonIndexed')
  set(spec, 'suspend', false)
  set(spec, 'podReplacementPolicy', 'TerminatingOrFailed')
  defaultTemplate(spec)
}

/** The kinds defaultObject knows, as `apiVersion/Kind`. */
export const defaultedKinds: readonly string[] = Object.keys(byKind)

/** A copy of `object` with the server-side defaults of its kind filled in. */
export function defaultObject(apiVersion: string, kind: string, object: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(object)
  byKind[`${apiVersion}/${kind}`]?.(copy)
  return copy
}

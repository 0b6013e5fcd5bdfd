// Table columns of the built-in kinds: what `kubectl get` prints by default (Kubernetes'
// pkg/printers/internalversion), computed from the object. Missing fields print as <none> or 0,
// as the real printers do.
import type { KubeObject } from '../../codec/index.js'
import type { Column } from './types.js'

type Cell = string | number | boolean | null

/** Kubernetes' duration.HumanDuration: 45s, 5m12s, 3h4m, 2d5h, 400d, 3y12d. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 120) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`
  if (m < 180) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`
  if (h < 48) return `${h}h`
  const d = Math.floor(h / 24)
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`
  if (d < 365 * 2) return `${d}d`
  const y = Math.floor(d / 365)
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`
  return `${y}y`
}

/** Reads a dotted path; arrays and scalars on the way give undefined. */
export function at(object: unknown, path: string): unknown {
  let value = object
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

const str = (v: unknown, none = '<none>'): string => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : none)
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

export function column(name: string, cell: (o: KubeObject, nowMs: number) => Cell, o: Partial<Omit<Column, 'name' | 'cell'>> = {}): Column {
  return { name, type: o.type ?? 'string', description: o.description ?? name, priority: o.priority ?? 0, cell, ...(o.format === undefined ? {} : { format: o.format }) }
}

export const ageColumn: Column = column(
  'Age',
  (o, nowMs) => {
    const created = Date.parse(str(o.metadata.creationTimestamp, ''))
    return Number.isNaN(created) ? '<unknown>' : humanDuration(nowMs - created)
  },
  { type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
)

/** A column that prints the value at a path (for CRD additionalPrinterColumns and simple kinds). */
export function pathColumn(name: string, path: string, type: Column['type'] = 'string', priority: 0 | 1 = 0): Column {
  return column(name, (o) => {
    const v = at(o, path)
    if (v === undefined || v === null) return type === 'integer' || type === 'number' ? null : '<none>'
    if (typeof v === 'object') return JSON.stringify(v)
    return v as Cell
  }, { type, priority })
}

function podReady(o: KubeObject): string {
  const statuses = list(at(o, 'status.containerStatuses'))
  const ready = statuses.filter((c) => at(c, 'ready') === true).length
  return `${ready}/${list(at(o, 'spec.containers')).length}`
}

function podStatus(o: KubeObject): string {
  if (typeof o.metadata.deletionTimestamp === 'string') return 'Terminating'
  const reason = at(o, 'status.reason')
  if (typeof reason === 'string' && reason !== '') return reason
  for (const c of list(at(o, 'status.containerStatuses'))) {
    const waiting = at(c, 'state.waiting.reason')
    if (typeof waiting === 'string' && waiting !== '') return waiting
  }
  return str(at(o, 'status.phase'), 'Pending')
}

function restarts(o: KubeObject): number {
  return list(at(o, 'status.containerStatuses')).reduce<number>((n, c) => n + num(at(c, 'restartCount')), 0)
}

const containers = (o: KubeObject): string => list(at(o, 'spec.template.spec.containers')).map((c) => str(at(c, 'name'), '')).join(',') || '<none>'
const images = (o: KubeObject): string => list(at(o, 'spec.template.spec.containers')).map((c) => str(at(c, 'image'), '')).join(',') || '<none>'
function selector(o: KubeObject): string {
  const labels = at(o, 'spec.selector.matchLabels') ?? at(o, 'spec.selector')
  if (labels === null || typeof labels !== 'object') return '<none>'
  const pairs = Object.entries(labels as Record<string, unknown>).filter(([, v]) => typeof v === 'string')
  return pairs.length === 0 ? '<none>' : pairs.map(([k, v]) => `${k}=${String(v)}`).join(',')
}

export const columns = {
  pods: [
    column('Ready', podReady, { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
    column('Status', podStatus, { description: 'The aggregate status of the containers in this pod.' }),
    column('Restarts', restarts, { type: 'string', description: 'The number of times the containers in this pod have been restarted.' }),
    ageColumn,
    column('IP', (o) => str(at(o, 'status.podIP')), { priority: 1 }),
    column('Node', (o) => str(at(o, 'spec.nodeName')), { priority: 1 }),
    column('Nominated Node', (o) => str(at(o, 'status.nominatedNodeName')), { priority: 1 }),
    column('Readiness Gates', () => '<none>', { priority: 1 }),
  ],
  deployments: [
    column('Ready', (o) => `${num(at(o, 'status.readyReplicas'))}/${num(at(o, 'spec.replicas'))}`),
    column('Up-to-date', (o) => num(at(o, 'status.updatedReplicas')), { type: 'integer' }),
    column('Available', (o) => num(at(o, 'status.availableReplicas')), { type: 'integer' }),
    ageColumn,
    column('Containers', containers, { priority: 1 }),
    column('Images', images, { priority: 1 }),
    column('Selector', selector, { priority: 1 }),
  ],
  replicasets: [
    column('Desired', (o) => num(at(o, 'spec.replicas')), { type: 'integer' }),
    column('Current', (o) => num(at(o, 'status.replicas')), { type: 'integer' }),
    column('Ready', (o) => num(at(o, 'status.readyReplicas')), { type: 'integer' }),
    ageColumn,
    column('Containers', containers, { priority: 1 }),
    column('Images', images, { priority: 1 }),
    column('Selector', selector, { priority: 1 }),
  ],
  statefulsets: [column('Ready', (o) => `${num(at(o, 'status.readyReplicas'))}/${num(at(o, 'spec.replicas'))}`), ageColumn],
  daemonsets: [
    column('Desired', (o) => num(at(o, 'status.desiredNumberScheduled')), { type: 'integer' }),
    column('Current', (o) => num(at(o, 'status.currentNumberScheduled')), { type: 'integer' }),
    column('Ready', (o) => num(at(o, 'status.numberReady')), { type: 'integer' }),
    column('Up-to-date', (o) => num(at(o, 'status.updatedNumberScheduled')), { type: 'integer' }),
    column('Available', (o) => num(at(o, 'status.numberAvailable')), { type: 'integer' }),
    column('Node Selector', (o) => selectorText(at(o, 'spec.template.spec.nodeSelector'))),
    ageColumn,
  ],
  namespaces: [column('Status', (o) => str(at(o, 'status.phase'), 'Active')), ageColumn],
  nodes: [
    column('Status', (o) => {
      const ready = list(at(o, 'status.conditions')).find((c) => at(c, 'type') === 'Ready')
      const base = ready === undefined ? 'Unknown' : at(ready, 'status') === 'True' ? 'Ready' : 'NotReady'
      return at(o, 'spec.unschedulable') === true ? `${base},SchedulingDisabled` : base
    }),
    column('Roles', (o) => {
      const roles = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice(24))
      return roles.length === 0 ? '<none>' : roles.sort().join(',')
    }),
    ageColumn,
    column('Version', (o) => str(at(o, 'status.nodeInfo.kubeletVersion'), '')),
    column('Internal-IP', (o) => str((list(at(o, 'status.addresses')).find((a) => at(a, 'type') === 'InternalIP') as Record<string, unknown> | undefined)?.address), { priority: 1 }),
  ],
  services: [
    column('Type', (o) => str(at(o, 'spec.type'), 'ClusterIP')),
    column('Cluster-IP', (o) => str(at(o, 'spec.clusterIP'))),
    column('External-IP', (o) => str(list(at(o, 'spec.externalIPs')).join(','))),
    column('Port(s)', (o) => list(at(o, 'spec.ports')).map((p) => `${num(at(p, 'port'))}${at(p, 'nodePort') !== undefined ? `:${num(at(p, 'nodePort'))}` : ''}/${str(at(p, 'protocol'), 'TCP')}`).join(',') || '<none>'),
    ageColumn,
    column('Selector', (o) => selectorText(at(o, 'spec.selector')), { priority: 1 }),
  ],
  configmaps: [column('Data', (o) => Object.keys((at(o, 'data') as object | undefined) ?? {}).length + Object.keys((at(o, 'binaryData') as object | undefined) ?? {}).length, { type: 'integer' }), ageColumn],
  secrets: [
    column('Type', (o) => str(at(o, 'type'), 'Opaque')),
    column('Data', (o) => Object.keys((at(o, 'data') as object | undefined) ?? {}).length, { type: 'integer' }),
    ageColumn,
  ],
  serviceaccounts: [column('Secrets', (o) => list(at(o, 'secrets')).length, { type: 'integer' }), ageColumn],
  events: [
    column('Last Seen', (o, now) => {
      const t = Date.parse(str(at(o, 'lastTimestamp') ?? at(o, 'eventTime') ?? o.metadata.creationTimestamp, ''))
      return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t)
    }),
    column('Type', (o) => str(at(o, 'type'))),
    column('Reason', (o) => str(at(o, 'reason'))),
    column('Object', (o) => `${str(at(o, 'involvedObject.kind'), '').toLowerCase()}/${str(at(o, 'involvedObject.name'), '')}`),
    column('Message', (o) => str(at(o, 'message'), '')),
  ],
  jobs: [
    column('Status', (o) => (num(at(o, 'status.succeeded')) >= num(at(o, 'spec.completions') ?? 1) ? 'Complete' : num(at(o, 'status.failed')) > 0 ? 'Failed' : 'Running')),
    column('Completions', (o) => `${num(at(o, 'status.succeeded'))}/${at(o, 'spec.completions') === undefined ? 1 : num(at(o, 'spec.completions'))}`),
    column('Duration', (o) => {
      const start = Date.parse(str(at(o, 'status.startTime'), ''))
      const end = Date.parse(str(at(o, 'status.completionTime'), ''))
      return Number.isNaN(start) ? '' : humanDuration((Number.isNaN(end) ? Date.now() : end) - start)
    }),
    ageColumn,
  ],
  cronjobs: [
    column('Schedule', (o) => str(at(o, 'spec.schedule'))),
    column('Timezone', (o) => str(at(o, 'spec.timeZone'))),
    column('Suspend', (o) => (at(o, 'spec.suspend') === true ? 'True' : 'False')),
    column('Active', (o) => list(at(o, 'status.active')).length, { type: 'integer' }),
    column('Last Schedule', (o, now) => {
      const t = Date.parse(str(at(o, 'status.lastScheduleTime'), ''))
      return Number.isNaN(t) ? '<none>' : humanDuration(now - t)
    }),
    ageColumn,
  ],
  leases: [column('Holder', (o) => str(at(o, 'spec.holderIdentity'), '')), ageColumn],
  roles: [column('Created At', (o) => str(o.metadata.creationTimestamp, ''))],
  rolebindings: [
    column('Role', (o) => `${str(at(o, 'roleRef.kind'), '')}/${str(at(o, 'roleRef.name'), '')}`),
    ageColumn,
  ],
  customresourcedefinitions: [column('Created At', (o) => str(o.metadata.creationTimestamp, ''))],
  routes: [
    column('Host/Port', (o) => str(at(o, 'spec.host'), '')),
    column('Path', (o) => str(at(o, 'spec.path'), '')),
    column('Services', (o) => str(at(o, 'spec.to.name'), '')),
    column('Port', (o) => str(at(o, 'spec.port.targetPort'), '<all>')),
    column('Termination', (o) => str(at(o, 'spec.tls.termination'), '')),
    column('Wildcard', (o) => str(at(o, 'spec.wildcardPolicy'), 'None')),
  ],
  projects: [column('Display Name', (o) => str(o.metadata.annotations?.['openshift.io/display-name'], '')), column('Status', (o) => str(at(o, 'status.phase'), 'Active'))],
} satisfies Record<string, Column[]>

function selectorText(v: unknown): string {
  if (v === null || typeof v !== 'object') return '<none>'
  const pairs = Object.entries(v as Record<string, unknown>)
  return pairs.length === 0 ? '<none>' : pairs.map(([k, x]) => `${k}=${String(x)}`).join(',')
}

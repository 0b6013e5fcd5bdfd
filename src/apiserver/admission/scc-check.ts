// One SecurityContextConstraints against one pod (OpenShift's sccmatching provider, in small):
// fills in what the SCC defaults (runAsUser from the namespace range, fsGroup,
// allowPrivilegeEscalation false, required capability drops, runAsNonRoot) on a copy, then lists
// every field the SCC forbids, worded as oc prints them (`.containers[0].privileged: Invalid
// value: true: Privileged containers are not allowed`).
import type { KubeObject } from '../../codec/index.js'
import { clone } from './forbidden.js'
import { objects, record, type Json } from './pod-resources.js'
import type { NamespaceRanges } from './scc-builtin.js'

export interface SccOutcome {
  pod: KubeObject
  errors: string[]
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

function invalid(field: string, value: unknown, message: string): string {
  return `${field}: Invalid value: ${JSON.stringify(value)}: ${message}`
}

export function checkScc(scc: Json, input: KubeObject, ranges: NamespaceRanges): SccOutcome {
  const pod = clone(input)
  const spec = (pod.spec ??= {})
  const errors: string[] = []
  const uidEnd = ranges.uidStart + ranges.uidSize - 1
  const inRange = (n: number): boolean => n >= ranges.uidStart && n <= uidEnd
  const rangeText = `[${ranges.uidStart}, ${uidEnd}]`
  for (const [flag, allow, what] of [['hostNetwork', 'allowHostNetwork', 'Host network'], ['hostPID', 'allowHostPID', 'Host PID'], ['hostIPC', 'allowHostIPC', 'Host IPC']] as const) {
    if (spec[flag] === true && scc[allow] !== true) errors.push(invalid(`.spec.securityContext.${flag}`, true, `${what} is not allowed to be used`))
  }
  const allowedVolumes = strings(scc.volumes)
  for (const [i, v] of objects(spec.volumes).entries()) {
    const type = Object.keys(v).find((k) => k !== 'name') ?? ''
    const ok = (allowedVolumes.includes('*') || allowedVolumes.includes(type)) && (type !== 'hostPath' || scc.allowHostDirVolumePlugin === true)
    if (!ok) errors.push(invalid(`.spec.volumes[${i}]`, type, `${type} volumes are not allowed to be used`))
  }
  const podSc = record(spec.securityContext)
  if (record(scc.fsGroup).type === 'MustRunAs') {
    if (typeof podSc.fsGroup === 'number' && !inRange(podSc.fsGroup)) errors.push(invalid('.spec.securityContext.fsGroup', [podSc.fsGroup], `group ${podSc.fsGroup} must be in the ranges: ${rangeText}`))
    else if (podSc.fsGroup === undefined) spec.securityContext = { ...podSc, fsGroup: ranges.uidStart }
  }
  const lists: [string, Json[]][] = [['initContainers', objects(spec.initContainers)], ['containers', objects(spec.containers)]]
  for (const [field, containers] of lists) {
    for (const [i, c] of containers.entries()) errors.push(...checkContainer(scc, c, `.${field}[${i}]`, podSc, ranges, rangeText))
  }
  return { pod, errors }
}

function checkContainer(scc: Json, c: Json, at: string, podSc: Json, ranges: NamespaceRanges, rangeText: string): string[] {
  const errors: string[] = []
  const sc = record(c.securityContext)
  if (sc.privileged === true && scc.allowPrivilegedContainer !== true) errors.push(invalid(`${at}.privileged`, true, 'Privileged containers are not allowed'))
  for (const p of objects(c.ports)) {
    if (typeof p.hostPort === 'number' && p.hostPort !== 0 && scc.allowHostPorts !== true) errors.push(invalid(`${at}.hostPort`, p.hostPort, 'Host ports are not allowed to be used'))
  }
  const uid = typeof sc.runAsUser === 'number' ? sc.runAsUser : typeof podSc.runAsUser === 'number' ? podSc.runAsUser : undefined
  const strategy = record(scc.runAsUser)
  if (strategy.type === 'MustRunAsRange') {
    if (uid === undefined) sc.runAsUser = ranges.uidStart
    else if (uid < ranges.uidStart || uid >= ranges.uidStart + ranges.uidSize) errors.push(invalid(`${at}.runAsUser`, uid, `must be in the ranges: ${rangeText}`))
  } else if (strategy.type === 'MustRunAs') {
    if (uid === undefined && typeof strategy.uid === 'number') sc.runAsUser = strategy.uid
    else if (uid !== strategy.uid) errors.push(invalid(`${at}.runAsUser`, uid ?? null, `must be: ${String(strategy.uid)}`))
  } else if (strategy.type === 'MustRunAsNonRoot') {
    if (uid === 0) errors.push(invalid(`${at}.runAsUser`, 0, 'running with the root UID is forbidden'))
    else if (sc.runAsNonRoot === false || (sc.runAsNonRoot === undefined && podSc.runAsNonRoot === false)) errors.push(invalid(`${at}.runAsNonRoot`, false, 'must be true'))
    else if (uid === undefined) sc.runAsNonRoot = true
  }
  if (scc.allowPrivilegeEscalation === false) {
    if (sc.allowPrivilegeEscalation === true) errors.push(invalid(`${at}.allowPrivilegeEscalation`, true, 'Allowing privilege escalation for containers is not allowed'))
    else sc.allowPrivilegeEscalation = false
  }
  const caps = record(sc.capabilities)
  const allowed = strings(scc.allowedCapabilities)
  const required = strings(scc.requiredDropCapabilities)
  for (const cap of strings(caps.add)) {
    const dropped = required.includes(cap) || required.includes('ALL')
    if (cap === 'NET_BIND_SERVICE' && allowed.includes(cap)) continue
    if (dropped || !(allowed.includes('*') || allowed.includes(cap))) errors.push(invalid(`${at}.capabilities.add`, cap, 'capability may not be added'))
  }
  if (required.length > 0) {
    const drop = strings(caps.drop)
    sc.capabilities = { ...caps, drop: [...drop, ...required.filter((r) => !drop.includes(r))] }
  }
  if (Object.keys(sc).length > 0) c.securityContext = sc
  return errors
}

/** OpenShift's restrictiveness order (lower is more restrictive): privilege, then host access, then the user strategy. */
export function restrictionPoints(scc: Json): number {
  let points = 0
  if (scc.allowPrivilegedContainer === true) points += 200_000
  const volumes = strings(scc.volumes)
  if (volumes.includes('*') || volumes.includes('hostPath') || scc.allowHostDirVolumePlugin === true) points += 50_000
  for (const f of ['allowHostNetwork', 'allowHostPID', 'allowHostIPC', 'allowHostPorts']) if (scc[f] === true) points += 10_000
  points += ({ RunAsAny: 4000, MustRunAsNonRoot: 3000, MustRunAsRange: 2000, MustRunAs: 1000 } as Record<string, number>)[String(record(scc.runAsUser).type)] ?? 0
  points += strings(scc.allowedCapabilities).includes('*') ? 500 : strings(scc.allowedCapabilities).length * 10
  return points
}

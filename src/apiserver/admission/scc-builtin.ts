// OpenShift's built-in SecurityContextConstraints (restricted-v2, restricted, nonroot-v2,
// anyuid, privileged), created at start when missing, and the per-namespace UID/MCS/group
// ranges OpenShift's namespace controller writes as annotations (here derived from the name
// when a namespace has none, so every namespace has a stable range).
import type { KubeObject } from '../../codec/index.js'
import { ApiError } from '../api-error.js'
import type { ApiContext } from '../handlers/context.js'

export const uidRangeAnnotation = 'openshift.io/sa.scc.uid-range'
export const mcsAnnotation = 'openshift.io/sa.scc.mcs'
export const supplementalGroupsAnnotation = 'openshift.io/sa.scc.supplemental-groups'

const restrictedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']

function scc(name: string, fields: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'security.openshift.io/v1',
    kind: 'SecurityContextConstraints',
    metadata: { name } as never,
    allowHostDirVolumePlugin: false,
    allowHostIPC: false,
    allowHostNetwork: false,
    allowHostPID: false,
    allowHostPorts: false,
    allowPrivilegedContainer: false,
    readOnlyRootFilesystem: false,
    priority: null,
    users: [],
    groups: [],
    fsGroup: { type: 'MustRunAs' },
    seLinuxContext: { type: 'MustRunAs' },
    supplementalGroups: { type: 'RunAsAny' },
    runAsUser: { type: 'MustRunAsRange' },
    volumes: restrictedVolumes,
    ...fields,
  }
}

/** The SCCs an OpenShift 4 cluster starts with (the subset etchlog enforces). */
export function builtinSccs(): KubeObject[] {
  return [
    // OpenShift grants restricted-v2 to system:authenticated through an RBAC `use` binding; listing the group is the same grant.
    scc('restricted-v2', { groups: ['system:authenticated'], allowPrivilegeEscalation: false, allowedCapabilities: ['NET_BIND_SERVICE'], requiredDropCapabilities: ['ALL'], seccompProfiles: ['runtime/default'] }),
    scc('restricted', { requiredDropCapabilities: ['KILL', 'MKNOD', 'SETUID', 'SETGID'] }),
    scc('nonroot-v2', { allowPrivilegeEscalation: false, allowedCapabilities: ['NET_BIND_SERVICE'], requiredDropCapabilities: ['ALL'], runAsUser: { type: 'MustRunAsNonRoot' }, fsGroup: { type: 'RunAsAny' } }),
    scc('anyuid', { groups: ['system:cluster-admins'], priority: 10, requiredDropCapabilities: ['MKNOD'], runAsUser: { type: 'RunAsAny' }, fsGroup: { type: 'RunAsAny' } }),
    scc('privileged', {
      users: ['system:admin', 'system:serviceaccount:openshift-infra:build-controller'],
      groups: ['system:cluster-admins', 'system:nodes', 'system:masters'],
      allowHostDirVolumePlugin: true, allowHostIPC: true, allowHostNetwork: true, allowHostPID: true, allowHostPorts: true, allowPrivilegedContainer: true, allowPrivilegeEscalation: true,
      allowedCapabilities: ['*'], seccompProfiles: ['*'], volumes: ['*'],
      runAsUser: { type: 'RunAsAny' }, fsGroup: { type: 'RunAsAny' }, seLinuxContext: { type: 'RunAsAny' },
    }),
  ]
}

export async function ensureBuiltinSccs(ctx: ApiContext): Promise<void> {
  const r = ctx.catalog.lookup('security.openshift.io', 'v1', 'securitycontextconstraints')
  if (r === undefined) return
  for (const o of builtinSccs()) {
    if ((await ctx.store.tryGet(r, '', o.metadata.name)) !== undefined) continue
    await ctx.store.create(r, o).catch((err: unknown) => {
      // Another process on the same store made it first.
      if (err instanceof ApiError && err.code === 'AlreadyExists') return undefined
      throw err
    })
  }
}

export interface NamespaceRanges {
  uidStart: number
  uidSize: number
  mcs: string
}

/** A stable block of 10000 UIDs per namespace (FNV-1a of the name picks one of 10000 blocks). */
export function derivedRanges(namespace: string): NamespaceRanges {
  let h = 0x811c9dc5
  for (const ch of Buffer.from(namespace)) h = Math.imul(h ^ ch, 0x01000193) >>> 0
  const block = h % 10000
  const a = (block % 1000) + 1
  const b = Math.floor(block / 1000) + 1000
  return { uidStart: 1_000_000_000 + block * 10_000, uidSize: 10_000, mcs: `s0:c${Math.min(a, b)},c${Math.max(a, b) % 1024}` }
}

export function rangesOf(ns: KubeObject | undefined, namespace: string): NamespaceRanges {
  const derived = derivedRanges(namespace)
  const text = ns?.metadata.annotations?.[uidRangeAnnotation]
  const m = typeof text === 'string' ? /^(\d+)\/(\d+)$/.exec(text) : null
  if (m === null) return derived
  return { uidStart: Number(m[1]), uidSize: Number(m[2]), mcs: String(ns?.metadata.annotations?.[mcsAnnotation] ?? derived.mcs) }
}

export function rangeAnnotations(namespace: string): Record<string, string> {
  const r = derivedRanges(namespace)
  return { [uidRangeAnnotation]: `${r.uidStart}/${r.uidSize}`, [mcsAnnotation]: r.mcs, [supplementalGroupsAnnotation]: `${r.uidStart}/${r.uidSize}` }
}

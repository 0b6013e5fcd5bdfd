// Patch-strategy tables of the built-in kinds the server serves. One entry per field that is not
// plain (a struct merged field by field, a list replaced whole): merge lists with their keys,
// sets of primitives, string maps, atomic structs. Sources: the struct tags and list markers of
// k8s.io/api at v1.32 (core/v1, apps/v1, batch/v1, ...), transcribed as data.
import type { FieldMeta, PatchSchema } from './patch-schema.js'

const s = (fields: Record<string, FieldMeta>): PatchSchema => ({ fields })
const struct = (fields: Record<string, FieldMeta>): FieldMeta => ({ schema: s(fields) })
const mergeList = (key: string, item?: PatchSchema, listKeys?: string[]): FieldMeta => ({
  strategy: 'merge',
  key,
  ...(item === undefined ? {} : { schema: item }),
  ...(listKeys === undefined ? {} : { listKeys }),
})
/** `+listType=map` without a patch strategy: SSA merges by key, SMP replaces. */
const applyMap = (...listKeys: string[]): FieldMeta => ({ listKeys })
const mergeSet: FieldMeta = { strategy: 'merge' }
const map: FieldMeta = { map: true }
const atomic: FieldMeta = { atomic: true }
const conditions = mergeList('type')

const objectMeta = struct({
  labels: map,
  annotations: map,
  finalizers: mergeSet,
  ownerReferences: mergeList('uid'),
})

const resources = struct({ limits: map, requests: map, claims: applyMap('name') })

const container = s({
  ports: mergeList('containerPort', undefined, ['containerPort', 'protocol']),
  env: mergeList('name'),
  volumeMounts: mergeList('mountPath'),
  volumeDevices: mergeList('devicePath'),
  resources,
  resizePolicy: atomic,
})

const podSpec = s({
  volumes: mergeList('name'),
  initContainers: mergeList('name', container),
  containers: mergeList('name', container),
  ephemeralContainers: mergeList('name', container),
  imagePullSecrets: mergeList('name'),
  hostAliases: mergeList('ip'),
  topologySpreadConstraints: mergeList('topologyKey', undefined, ['topologyKey', 'whenUnsatisfiable']),
  schedulingGates: mergeList('name'),
  resourceClaims: mergeList('name'),
  nodeSelector: map,
  overhead: map,
})

const podStatus = s({
  conditions,
  podIPs: mergeList('ip'),
  hostIPs: mergeList('ip'),
  resourceClaimStatuses: mergeList('name'),
})

const podTemplateSpec = struct({ metadata: objectMeta, spec: { schema: podSpec } })
const selector = atomic // metav1.LabelSelector is +structType=atomic

const workloadStatus = struct({ conditions })
const deployment = { spec: struct({ selector, template: podTemplateSpec }), status: workloadStatus }
const statefulSet = {
  spec: struct({ selector, template: podTemplateSpec, volumeClaimTemplates: atomic }),
  status: workloadStatus,
}
const jobSpec = struct({ selector, template: podTemplateSpec })

/** Fields of each kind besides metadata, by "apiVersion/kind" ("v1/Pod", "apps/v1/Deployment"). */
const kinds: Record<string, Record<string, FieldMeta>> = {
  'v1/Pod': { spec: { schema: podSpec }, status: { schema: podStatus } },
  'v1/PodTemplate': { template: podTemplateSpec },
  'v1/ReplicationController': { spec: struct({ selector: map, template: podTemplateSpec }), status: workloadStatus },
  'v1/Service': {
    spec: struct({ ports: mergeList('port', undefined, ['port', 'protocol']), selector: map }),
    status: struct({ conditions, loadBalancer: struct({ ingress: atomic }) }),
  },
  'v1/Endpoints': {},
  'v1/ConfigMap': { data: map, binaryData: map },
  'v1/Secret': { data: map, stringData: map },
  'v1/ServiceAccount': { secrets: mergeList('name') },
  'v1/Node': {
    spec: struct({ podCIDRs: mergeSet }),
    status: struct({ conditions, addresses: mergeList('type'), capacity: map, allocatable: map }),
  },
  'v1/Namespace': { status: struct({ conditions }) },
  'v1/Event': {},
  'v1/ResourceQuota': { spec: struct({ hard: map }), status: struct({ hard: map, used: map }) },
  'v1/LimitRange': {},
  'v1/PersistentVolume': { spec: struct({ capacity: map }) },
  'v1/PersistentVolumeClaim': {
    spec: struct({ selector, resources }),
    status: struct({ conditions, capacity: map, allocatedResources: map }),
  },
  'apps/v1/Deployment': deployment,
  'apps/v1/ReplicaSet': deployment,
  'apps/v1/StatefulSet': statefulSet,
  'apps/v1/DaemonSet': deployment,
  'apps/v1/ControllerRevision': {},
  'batch/v1/Job': { spec: jobSpec, status: struct({ conditions }) },
  'batch/v1/CronJob': { spec: struct({ jobTemplate: struct({ metadata: objectMeta, spec: jobSpec }) }), status: struct({ active: atomic }) },
  'rbac.authorization.k8s.io/v1/Role': {},
  'rbac.authorization.k8s.io/v1/ClusterRole': {},
  'rbac.authorization.k8s.io/v1/RoleBinding': {},
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {},
  'networking.k8s.io/v1/Ingress': {},
  'networking.k8s.io/v1/IngressClass': {},
  'networking.k8s.io/v1/NetworkPolicy': { spec: struct({ podSelector: selector }) },
  'coordination.k8s.io/v1/Lease': {},
  'storage.k8s.io/v1/StorageClass': { parameters: map },
  'storage.k8s.io/v1/CSIDriver': {},
  'storage.k8s.io/v1/CSINode': { spec: struct({ drivers: mergeList('name') }) },
  'storage.k8s.io/v1/VolumeAttachment': {},
  'autoscaling/v1/Scale': { spec: struct({}), status: struct({}) },
  'policy/v1/PodDisruptionBudget': { spec: struct({ selector }), status: struct({ conditions }) },
  'autoscaling/v1/HorizontalPodAutoscaler': {},
  'autoscaling/v2/HorizontalPodAutoscaler': { status: struct({ conditions }) },
  'discovery.k8s.io/v1/EndpointSlice': {},
  'events.k8s.io/v1/Event': {},
  'scheduling.k8s.io/v1/PriorityClass': {},
  'node.k8s.io/v1/RuntimeClass': {},
  'certificates.k8s.io/v1/CertificateSigningRequest': { status: struct({ conditions: applyMap('type') }) },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': { webhooks: mergeList('name') },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': { webhooks: mergeList('name') },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': { status: struct({ conditions: applyMap('type') }) },
  'apiregistration.k8s.io/v1/APIService': { status: struct({ conditions }) },
}

const tables = new Map<string, PatchSchema>(
  Object.entries(kinds).map(([kind, fields]) => [kind, s({ metadata: objectMeta, ...fields })]),
)

/** The patch schema of a built-in kind, or undefined for any other kind (a custom resource):
 *  the server refuses strategic merge patch (415) on those. */
export function strategicSchemaFor(apiVersion: string, kind: string): PatchSchema | undefined {
  return tables.get(`${apiVersion}/${kind}`)
}

/** The schema server-side apply uses: the built-in table, or for other kinds a deduced one
 *  (metadata typed, every other object a granular map, every list atomic), as the real server
 *  does for custom resources without list markers. */
export function applySchemaFor(apiVersion: string, kind: string): PatchSchema {
  return strategicSchemaFor(apiVersion, kind) ?? { fields: { metadata: objectMeta }, deduced: true }
}

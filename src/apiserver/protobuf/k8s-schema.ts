// The Kubernetes wire schemas in proto/k8s/, loaded once with protobufjs on first use, and the
// table from a kind's apiVersion/kind to its message. Loaded at run time (as src/codec loads
// proto/etchlog/) rather than generated: the .proto files stay the one readable source of field
// numbers, and there is no build step to forget after editing them.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import type { Namespace, Root, Type } from 'protobufjs'
import { assert } from '../../util/index.js'

const protoDir: string = fileURLToPath(new URL('../../../proto/k8s/', import.meta.url))

/** [apiVersion, kind, message] for every top-level kind; each also gets `<kind>List` when the
 *  schema has that message. DeleteOptions and Status are added below for every group version. */
const kindTable: ReadonlyArray<readonly [string, string, string]> = [
  ...['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Pod', 'ResourceQuota', 'LimitRange', 'Endpoints', 'Node', 'Event', 'PersistentVolumeClaim']
    .map((k) => ['v1', k, `k8s.core.v1.${k}`] as const),
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((k) => ['apps/v1', k, `k8s.apps.v1.${k}`] as const),
  ...['Job', 'CronJob'].map((k) => ['batch/v1', k, `k8s.batch.v1.${k}`] as const),
  ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((k) => ['rbac.authorization.k8s.io/v1', k, `k8s.rbac.v1.${k}`] as const),
  ...['TokenRequest', 'SelfSubjectReview', 'TokenReview'].map((k) => ['authentication.k8s.io/v1', k, `k8s.authentication.v1.${k}`] as const),
  ...['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview']
    .map((k) => ['authorization.k8s.io/v1', k, `k8s.authorization.v1.${k}`] as const),
  ...['Ingress', 'NetworkPolicy'].map((k) => ['networking.k8s.io/v1', k, `k8s.networking.v1.${k}`] as const),
  ...['PodDisruptionBudget', 'Eviction'].map((k) => ['policy/v1', k, `k8s.policy.v1.${k}`] as const),
  ['scheduling.k8s.io/v1', 'PriorityClass', 'k8s.scheduling.v1.PriorityClass'],
  ['coordination.k8s.io/v1', 'Lease', 'k8s.coordination.v1.Lease'],
  ['autoscaling/v1', 'Scale', 'k8s.autoscaling.v1.Scale'],
]

export interface K8sSchema {
  readonly root: Root
  /** "apps/v1/Deployment" -> its message type. */
  readonly byKind: ReadonlyMap<string, Type>
}

let loaded: K8sSchema | undefined

export function k8sSchema(): K8sSchema {
  loaded ??= loadSchema()
  return loaded
}

export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`
}

function loadSchema(): K8sSchema {
  const root = new protobuf.Root()
  const files = readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort()
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : protoDir + target)
  root.loadSync(files, { keepCase: true })
  root.resolveAll()
  assertPlainFieldNames(root)
  const byKind = new Map<string, Type>()
  const groupVersions = new Set<string>(['meta.k8s.io/v1'])
  for (const [apiVersion, kind, message] of kindTable) {
    groupVersions.add(apiVersion)
    byKind.set(kindKey(apiVersion, kind), root.lookupType(message))
    const list = root.lookup(`${message}List`)
    if (list instanceof protobuf.Type) byKind.set(kindKey(apiVersion, `${kind}List`), list)
  }
  // Every group version carries the meta option kinds (apimachinery AddToGroupVersion), so a
  // DeleteOptions may arrive as apps/v1 as well as meta.k8s.io/v1; Status is "v1" on the wire.
  for (const gv of groupVersions) byKind.set(kindKey(gv, 'DeleteOptions'), root.lookupType('k8s.meta.v1.DeleteOptions'))
  byKind.set(kindKey('v1', 'Status'), root.lookupType('k8s.meta.v1.Status'))
  byKind.set(kindKey('meta.k8s.io/v1', 'Status'), root.lookupType('k8s.meta.v1.Status'))
  return { root, byKind }
}

/** The decoder writes field names as keys of plain objects: none may be an Object.prototype
 *  member (a field named "constructor" would read the inherited one). */
function assertPlainFieldNames(namespace: Namespace): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      for (const field of nested.fieldsArray) assert(!(field.name in Object.prototype), `proto/k8s: field name ${field.name} shadows Object.prototype`)
    }
    if (nested instanceof protobuf.Namespace) assertPlainFieldNames(nested)
  }
}

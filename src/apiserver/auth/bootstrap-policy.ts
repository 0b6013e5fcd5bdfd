// The default roles and bindings a Kubernetes cluster starts with (kube's bootstrappolicy), the
// ones users expect by name: cluster-admin, admin, edit, view and the aggregation roles behind
// the last three, system:basic-user, system:discovery, system:public-info-viewer,
// system:auth-delegator. The rules were read from Kubernetes' published bootstrap policy and
// written down here as data. The server creates these at start when missing, and (annotation
// autoupdate=true) puts back their rules when they drift.
import type { KubeObject } from '../../codec/index.js'
import type { PolicyRule } from './policy-rule.js'

const rbacApiVersion = 'rbac.authorization.k8s.io/v1'
const aggregateTo = (role: 'admin' | 'edit' | 'view'): string => `rbac.authorization.k8s.io/aggregate-to-${role}`

const read = ['get', 'list', 'watch']
const write = ['create', 'delete', 'deletecollection', 'patch', 'update']
const readWrite = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs })
const urls = (nonResourceURLs: string[], verbs: string[]): PolicyRule => ({ nonResourceURLs, verbs })

function meta(name: string, labels: Record<string, string> = {}): KubeObject['metadata'] {
  return {
    name,
    // Filled by the store on create; empty here because these objects are not stored yet.
    uid: '',
    resourceVersion: '',
    generation: 0,
    creationTimestamp: '',
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  }
}

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: rbacApiVersion, kind: 'ClusterRole', metadata: meta(name, labels), rules }
}

function aggregatedRole(name: string, from: 'admin' | 'edit' | 'view', labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: rbacApiVersion,
    kind: 'ClusterRole',
    metadata: meta(name, labels),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateTo(from)]: 'true' } }] },
    rules: [],
  }
}

function clusterRoleBinding(name: string, groups: string[]): KubeObject {
  return {
    apiVersion: rbacApiVersion,
    kind: 'ClusterRoleBinding',
    metadata: meta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  }
}

const viewRules: PolicyRule[] = [
  rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], read),
  rule([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], read),
  rule([''], ['namespaces'], read),
  rule(['discovery.k8s.io'], ['endpointslices'], read),
  rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], read),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], read),
  rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], read),
  rule(['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale'], read),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], read),
  rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], read),
]

const editRules: PolicyRule[] = [
  rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], read),
  rule([''], ['serviceaccounts'], ['impersonate']),
  rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], write),
  rule([''], ['pods/eviction'], ['create']),
  rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], write),
  rule([''], ['serviceaccounts/token'], ['create']),
  rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], write),
  rule(['autoscaling'], ['horizontalpodautoscalers'], write),
  rule(['batch'], ['cronjobs', 'jobs'], write),
  rule(['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'], write),
  rule(['policy'], ['poddisruptionbudgets'], write),
  rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], write),
  rule(['coordination.k8s.io'], ['leases'], readWrite),
]

const adminRules: PolicyRule[] = [
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], readWrite),
]

const publicInfo = ['/healthz', '/livez', '/readyz', '/version', '/version/']

/** Fresh objects on every call (callers may change them). ClusterRoles first, then bindings. */
export function bootstrapPolicy(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    aggregatedRole('admin', 'admin'),
    aggregatedRole('edit', 'edit', { [aggregateTo('admin')]: 'true' }),
    aggregatedRole('view', 'view', { [aggregateTo('edit')]: 'true' }),
    clusterRole('system:aggregate-to-admin', adminRules, { [aggregateTo('admin')]: 'true' }),
    clusterRole('system:aggregate-to-edit', editRules, { [aggregateTo('edit')]: 'true' }),
    clusterRole('system:aggregate-to-view', viewRules, { [aggregateTo('view')]: 'true' }),
    clusterRole('system:basic-user', [
      rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
      rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
    ]),
    clusterRole('system:discovery', [urls(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], ['get'])]),
    clusterRole('system:public-info-viewer', [urls(publicInfo, ['get'])]),
    clusterRole('system:auth-delegator', [
      rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    ]),
    clusterRoleBinding('cluster-admin', ['system:masters']),
    clusterRoleBinding('system:basic-user', ['system:authenticated']),
    clusterRoleBinding('system:discovery', ['system:authenticated']),
    clusterRoleBinding('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  ]
}

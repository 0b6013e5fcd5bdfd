// Roles, bindings and users shared by the RBAC tests and the RBAC bench.
import type { KubeObject } from '../../src/codec/index.js'
import { bootstrapPolicy, serviceAccountGroups, serviceAccountUsername, type PolicyRule, type Subject, type UserInfo } from '../../src/apiserver/auth/index.js'

const meta = (name: string, namespace?: string, labels?: Record<string, string>): KubeObject['metadata'] => ({
  name,
  ...(namespace !== undefined ? { namespace } : {}),
  ...(labels !== undefined ? { labels } : {}),
  uid: `uid-${namespace ?? ''}-${name}`,
  resourceVersion: '1',
  generation: 1,
  creationTimestamp: '2026-01-01T00:00:00Z',
})

export const role = (namespace: string, name: string, rules: PolicyRule[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: meta(name, namespace),
  rules,
})

export const clusterRole = (name: string, rules: PolicyRule[], labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: meta(name, undefined, labels),
  rules,
})

export const roleBinding = (namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: Subject[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: meta(name, namespace),
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
})

export const clusterRoleBinding = (name: string, roleName: string, subjects: Subject[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: meta(name),
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
})

export const user = (username: string, groups: string[] = []): UserInfo => ({ username, groups: [...groups, 'system:authenticated'] })
export const serviceAccount = (namespace: string, name: string): UserInfo => ({
  username: serviceAccountUsername(namespace, name),
  groups: [...serviceAccountGroups(namespace), 'system:authenticated'],
})

/** The scenarios' CI/CD case (scenarios.md §5), exactly as given there. */
export const cicdObjects: KubeObject[] = [
  role('payments', 'deployer', [
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
    { apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
  ]),
  roleBinding('payments', 'cicd-deployer-binding', { kind: 'Role', name: 'deployer' }, [{ kind: 'ServiceAccount', name: 'cicd-deployer', namespace: 'payments' }]),
]

export const users = {
  alice: user('alice'), // view, cluster-wide
  bob: user('bob'), // edit in dev
  carol: user('carol'), // admin in dev
  dave: user('dave'), // one configmap by name in dev
  erin: user('erin', ['ops']), // group ops: everything in apps, cluster-wide
  frank: user('frank'), // pods/log in dev only
  grace: user('grace'), // any resource's scale subresource in dev
  heidi: user('heidi'), // /metrics and /logs/* URLs
  ivan: user('ivan'), // get pods in every API group
  mallory: user('mallory', ['system:masters']),
  nobody: user('nobody'), // only the bootstrap bindings of system:authenticated
  anonymous: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
  deployer: serviceAccount('payments', 'cicd-deployer'),
  prometheus: serviceAccount('monitoring', 'prometheus'), // view via a ClusterRoleBinding to the SA
  localSa: serviceAccount('dev', 'builder'), // RoleBinding subject with no namespace: the binding's
} satisfies Record<string, UserInfo>

export function policyObjects(): KubeObject[] {
  return [
    ...bootstrapPolicy(),
    ...cicdObjects,
    clusterRoleBinding('alice-view', 'view', [{ kind: 'User', name: 'alice' }]),
    roleBinding('dev', 'bob-edit', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'bob' }]),
    roleBinding('dev', 'carol-admin', { kind: 'ClusterRole', name: 'admin' }, [{ kind: 'User', name: 'carol' }]),
    role('dev', 'app-config-reader', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['get', 'update'] }]),
    roleBinding('dev', 'dave-config', { kind: 'Role', name: 'app-config-reader' }, [{ kind: 'User', name: 'dave' }]),
    clusterRole('apps-operator', [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }]),
    clusterRoleBinding('ops-apps', 'apps-operator', [{ kind: 'Group', name: 'ops' }]),
    role('dev', 'log-reader', [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]),
    roleBinding('dev', 'frank-logs', { kind: 'Role', name: 'log-reader' }, [{ kind: 'User', name: 'frank' }]),
    role('dev', 'scaler', [{ apiGroups: ['*'], resources: ['*/scale'], verbs: ['get', 'update'] }]),
    roleBinding('dev', 'grace-scale', { kind: 'Role', name: 'scaler' }, [{ kind: 'User', name: 'grace' }]),
    clusterRole('metrics-reader', [{ nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] }]),
    clusterRoleBinding('heidi-metrics', 'metrics-reader', [{ kind: 'User', name: 'heidi' }]),
    clusterRole('pod-getter', [{ apiGroups: ['*'], resources: ['pods'], verbs: ['get'] }]),
    clusterRoleBinding('ivan-pods', 'pod-getter', [{ kind: 'User', name: 'ivan' }]),
    clusterRoleBinding('prometheus-view', 'view', [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]),
    roleBinding('dev', 'builder-edit', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'ServiceAccount', name: 'builder' }]),
  ]
}

// The built-in resources: Kubernetes' own groups and the OpenShift groups of the scenarios. Each is
// one line of data; the generic registry serves them all. Storage keys follow kube-apiserver's etcd
// layout (/registry/<resource>/<namespace>/<name>) for Kubernetes' groups and
// /registry/<group>/<resource>/... for the others, as it stores custom resources.
import { ageColumn, columns } from './columns.js'
import type { Column, ResourceType, ScalePaths, Subresource } from './types.js'

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const

interface Declaration {
  cluster?: boolean
  short?: string[]
  all?: boolean
  sub?: Subresource[]
  scale?: ScalePaths
  fields?: string[]
  columns?: Column[]
  verbs?: readonly string[]
  virtual?: boolean
  singular?: string
}

const kubernetesGroups = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'rbac.authorization.k8s.io', 'coordination.k8s.io', 'networking.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'discovery.k8s.io', 'node.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io'])

export function declare(group: string, version: string, resource: string, kind: string, d: Declaration = {}): ResourceType {
  const prefix = kubernetesGroups.has(group) ? `/registry/${resource}` : `/registry/${group}/${resource}`
  return {
    group,
    version,
    resource,
    kind,
    listKind: `${kind}List`,
    singular: d.singular ?? kind.toLowerCase(),
    namespaced: d.cluster !== true,
    shortNames: d.short ?? [],
    categories: d.all === true ? ['all'] : [],
    verbs: d.verbs ?? allVerbs,
    subresources: d.sub ?? [],
    ...(d.scale === undefined ? {} : { scale: d.scale }),
    fieldSelectors: d.fields ?? [],
    columns: d.columns ?? [ageColumn],
    storagePrefix: prefix,
    ...(d.virtual === true ? { virtual: true } : {}),
    strategicMerge: kubernetesGroups.has(group),
  }
}

const replicasScale: ScalePaths = { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas', labelSelector: 'status.selector' }
const createOnly = ['create'] as const
const c = columns

/** Every resource served at start, before any CRD. Order inside a group-version is discovery order. */
export function builtinResources(): ResourceType[] {
  return [
    // core/v1
    declare('', 'v1', 'namespaces', 'Namespace', { cluster: true, short: ['ns'], sub: ['status', 'finalize'], fields: ['status.phase'], columns: c.namespaces }),
    declare('', 'v1', 'pods', 'Pod', { short: ['po'], all: true, sub: ['status', 'log', 'binding', 'eviction', 'exec', 'attach', 'portforward'], fields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'], columns: c.pods }),
    declare('', 'v1', 'services', 'Service', { short: ['svc'], all: true, sub: ['status'], columns: c.services }),
    declare('', 'v1', 'endpoints', 'Endpoints', { short: ['ep'], singular: 'endpoints' }),
    declare('', 'v1', 'configmaps', 'ConfigMap', { short: ['cm'], columns: c.configmaps }),
    declare('', 'v1', 'secrets', 'Secret', { fields: ['type'], columns: c.secrets }),
    declare('', 'v1', 'serviceaccounts', 'ServiceAccount', { short: ['sa'], sub: ['token'], columns: c.serviceaccounts }),
    declare('', 'v1', 'nodes', 'Node', { cluster: true, short: ['no'], sub: ['status', 'proxy'], fields: ['spec.unschedulable'], columns: c.nodes }),
    declare('', 'v1', 'events', 'Event', { short: ['ev'], fields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'], columns: c.events }),
    declare('', 'v1', 'resourcequotas', 'ResourceQuota', { short: ['quota'], sub: ['status'] }),
    declare('', 'v1', 'limitranges', 'LimitRange', { short: ['limits'] }),
    declare('', 'v1', 'persistentvolumes', 'PersistentVolume', { cluster: true, short: ['pv'], sub: ['status'] }),
    declare('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', { short: ['pvc'], sub: ['status'] }),
    declare('', 'v1', 'replicationcontrollers', 'ReplicationController', { short: ['rc'], all: true, sub: ['status', 'scale'], scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas' } }),
    declare('', 'v1', 'podtemplates', 'PodTemplate'),
    // apps/v1
    declare('apps', 'v1', 'deployments', 'Deployment', { short: ['deploy'], all: true, sub: ['status', 'scale'], scale: replicasScale, columns: c.deployments }),
    declare('apps', 'v1', 'replicasets', 'ReplicaSet', { short: ['rs'], all: true, sub: ['status', 'scale'], scale: replicasScale, fields: ['status.replicas'], columns: c.replicasets }),
    declare('apps', 'v1', 'statefulsets', 'StatefulSet', { short: ['sts'], all: true, sub: ['status', 'scale'], scale: replicasScale, columns: c.statefulsets }),
    declare('apps', 'v1', 'daemonsets', 'DaemonSet', { short: ['ds'], all: true, sub: ['status'], columns: c.daemonsets }),
    declare('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
    // batch/v1
    declare('batch', 'v1', 'jobs', 'Job', { all: true, sub: ['status'], fields: ['status.successful'], columns: c.jobs }),
    declare('batch', 'v1', 'cronjobs', 'CronJob', { short: ['cj'], all: true, sub: ['status'], columns: c.cronjobs }),
    declare('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', { short: ['hpa'], all: true, sub: ['status'] }),
    declare('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', { short: ['pdb'], sub: ['status'] }),
    // rbac
    declare('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', { cluster: true, columns: c.rolebindings }),
    declare('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', { cluster: true, columns: c.roles }),
    declare('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', { columns: c.rolebindings }),
    declare('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', { columns: c.roles }),
    // reviews: computed per request, never stored
    declare('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', { cluster: true, verbs: createOnly, virtual: true }),
    declare('authentication.k8s.io', 'v1', 'tokenreviews', 'TokenReview', { cluster: true, verbs: createOnly, virtual: true }),
    declare('authorization.k8s.io', 'v1', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', { verbs: createOnly, virtual: true }),
    declare('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', { cluster: true, verbs: createOnly, virtual: true }),
    declare('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', { cluster: true, verbs: createOnly, virtual: true }),
    declare('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', { cluster: true, verbs: createOnly, virtual: true }),
    // the rest of Kubernetes
    declare('coordination.k8s.io', 'v1', 'leases', 'Lease', { columns: c.leases }),
    declare('networking.k8s.io', 'v1', 'ingresses', 'Ingress', { short: ['ing'], sub: ['status'] }),
    declare('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', { cluster: true }),
    declare('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', { short: ['netpol'] }),
    declare('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', { cluster: true, short: ['sc'] }),
    declare('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', { cluster: true }),
    declare('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', { cluster: true, sub: ['status'] }),
    declare('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', { cluster: true }),
    declare('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', { cluster: true }),
    declare('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', { cluster: true, short: ['crd', 'crds'], sub: ['status'], columns: c.customresourcedefinitions }),
    declare('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', { cluster: true, short: ['pc'] }),
    declare('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
    declare('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', { cluster: true, short: ['csr'], sub: ['status'] }),
    // OpenShift
    declare('route.openshift.io', 'v1', 'routes', 'Route', { sub: ['status'], columns: c.routes }),
    declare('project.openshift.io', 'v1', 'projects', 'Project', { cluster: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], columns: c.projects }),
    declare('project.openshift.io', 'v1', 'projectrequests', 'ProjectRequest', { cluster: true, verbs: ['create', 'list'], virtual: true }),
    declare('build.openshift.io', 'v1', 'buildconfigs', 'BuildConfig', { short: ['bc'], all: true, sub: ['instantiate'] }),
    declare('build.openshift.io', 'v1', 'builds', 'Build', { all: true, sub: ['log'] }),
    declare('image.openshift.io', 'v1', 'imagestreams', 'ImageStream', { short: ['is'], all: true, sub: ['status'] }),
    declare('image.openshift.io', 'v1', 'imagestreamtags', 'ImageStreamTag', { short: ['istag'] }),
    declare('image.openshift.io', 'v1', 'images', 'Image', { cluster: true }),
    declare('apps.openshift.io', 'v1', 'deploymentconfigs', 'DeploymentConfig', { short: ['dc'], all: true, sub: ['status', 'scale', 'instantiate', 'log'], scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.replicas' } }),
    declare('security.openshift.io', 'v1', 'securitycontextconstraints', 'SecurityContextConstraints', { cluster: true, short: ['scc'], singular: 'securitycontextconstraints' }),
    declare('config.openshift.io', 'v1', 'clusterversions', 'ClusterVersion', { cluster: true, sub: ['status'] }),
    declare('config.openshift.io', 'v1', 'ingresses', 'Ingress', { cluster: true, sub: ['status'] }),
    declare('config.openshift.io', 'v1', 'networks', 'Network', { cluster: true, sub: ['status'] }),
    declare('config.openshift.io', 'v1', 'dnses', 'DNS', { cluster: true, sub: ['status'], singular: 'dns' }),
    declare('config.openshift.io', 'v1', 'authentications', 'Authentication', { cluster: true, sub: ['status'] }),
    declare('config.openshift.io', 'v1', 'infrastructures', 'Infrastructure', { cluster: true, sub: ['status'] }),
    declare('config.openshift.io', 'v1', 'clusteroperators', 'ClusterOperator', { cluster: true, short: ['co'], sub: ['status'] }),
    declare('operator.openshift.io', 'v1', 'ingresscontrollers', 'IngressController', { sub: ['status', 'scale'], scale: { specReplicas: 'spec.replicas', statusReplicas: 'status.availableReplicas', labelSelector: 'status.selector' } }),
    declare('operator.openshift.io', 'v1', 'networks', 'Network', { cluster: true, sub: ['status'] }),
    declare('operator.openshift.io', 'v1', 'consoles', 'Console', { cluster: true, sub: ['status'] }),
    declare('machine.openshift.io', 'v1beta1', 'machines', 'Machine', { sub: ['status'] }),
    declare('machine.openshift.io', 'v1beta1', 'machinesets', 'MachineSet', { sub: ['status', 'scale'], scale: replicasScale }),
    declare('template.openshift.io', 'v1', 'templates', 'Template'),
    declare('user.openshift.io', 'v1', 'users', 'User', { cluster: true }),
    declare('user.openshift.io', 'v1', 'groups', 'Group', { cluster: true }),
  ]
}

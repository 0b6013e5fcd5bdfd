// Kubernetes-shaped objects and their storage keys, as kube-apiserver lays them out in etcd
// (/registry/<resource>/<namespace>/<name>; Nodes keep their historical resource name "minions").
// Sizes are realistic: a Node with its image list is a few KiB, a Pod about one. Pods,
// Deployments, ConfigMaps and Secrets are stored as protobuf (the codec's registered kinds);
// Nodes, Namespaces, Endpoints and Events go through its MessagePack fallback. The store sets
// uid, creationTimestamp and generation on create, so the values given here are placeholders.
import type { KubeObject } from '../codec/index.js'
import type { Rng } from './rng.js'

export const prefixes = Object.freeze({
  namespaces: '/registry/namespaces/',
  nodes: '/registry/minions/',
  deployments: '/registry/deployments/',
  pods: '/registry/pods/',
  endpoints: '/registry/services/endpoints/',
  events: '/registry/events/',
  configmaps: '/registry/configmaps/',
  secrets: '/registry/secrets/',
})

/** Counts the kubelet's successful status updates: the lost-update check compares it. */
export const heartbeatAnnotation = 'etchlog.io/heartbeats'
export const unreachableTaint = 'node.kubernetes.io/unreachable'

/** Every kind the workload stores (the report says which the codec writes as protobuf). */
export const storedKinds: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'v1', kind: 'Namespace' },
  { apiVersion: 'v1', kind: 'Node' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'v1', kind: 'Endpoints' },
  { apiVersion: 'v1', kind: 'Event' },
]

export const namespaceName = (i: number): string => `team-${String(i).padStart(3, '0')}`
export const nodeName = (i: number): string => `node-${String(i).padStart(5, '0')}`
export const deploymentName = (i: number): string => `app-${String(i).padStart(2, '0')}`
/** Fixed-width deployment names keep `<deployment>-` a prefix of its pods only. */
export const podName = (deployment: string, replica: number): string => `${deployment}-${replica}`

export const nodeKey = (name: string): string => `${prefixes.nodes}${name}`
export const deploymentKey = (ns: string, name: string): string => `${prefixes.deployments}${ns}/${name}`
export const podKey = (ns: string, name: string): string => `${prefixes.pods}${ns}/${name}`
export const endpointsKey = (ns: string, name: string): string => `${prefixes.endpoints}${ns}/${name}`
export const configMapKey = (ns: string, app: string): string => `${prefixes.configmaps}${ns}/${app}-config`
export const secretKey = (ns: string, app: string): string => `${prefixes.secrets}${ns}/${app}-credentials`

/** Namespace and name of a namespaced key under `prefix`, or undefined for another shape. */
export function splitKey(prefix: string, key: string): { namespace: string; name: string } | undefined {
  if (!key.startsWith(prefix)) return undefined
  const rest = key.slice(prefix.length)
  const slash = rest.indexOf('/')
  if (slash <= 0 || slash === rest.length - 1) return undefined
  return { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) }
}

export function uid(rng: Rng): string {
  const hex = (n: number): string => Array.from({ length: n }, () => rng.int(16).toString(16)).join('')
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`
}

export function namespaceObject(name: string, rng: Rng, now: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid: uid(rng), resourceVersion: '', generation: 1, creationTimestamp: now, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }
}

export function nodeObject(name: string, index: number, rng: Rng, now: string): KubeObject {
  const resources = { cpu: '8', memory: '32879772Ki', pods: '110', 'ephemeral-storage': '101203600Ki' }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: uid(rng),
      resourceVersion: '',
      generation: 1,
      creationTimestamp: now,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${index % 3}` },
      annotations: { [heartbeatAnnotation]: '0', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { podCIDR: `10.${(index >> 8) & 255}.${index & 255}.0/24`, providerID: `etchlog://${name}`, taints: [] },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type,
        status: type === 'Ready' ? 'True' : 'False',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
        reason: type === 'Ready' ? 'KubeletReady' : `KubeletHasNo${type}`,
      })),
      addresses: [
        { type: 'InternalIP', address: `192.168.${(index >> 8) & 255}.${index & 255}` },
        { type: 'Hostname', address: name },
      ],
      // Every field a real kubelet reports (the API server's schema requires them all).
      nodeInfo: {
        machineID: uid(rng).replaceAll('-', ''),
        systemUUID: uid(rng),
        bootID: uid(rng),
        kernelVersion: '6.1.0-25-amd64',
        osImage: 'Debian GNU/Linux 12',
        containerRuntimeVersion: 'containerd://1.7.20',
        kubeletVersion: 'v1.31.0',
        kubeProxyVersion: 'v1.31.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      // The image list is most of a real Node's size.
      images: Array.from({ length: 12 }, (_, i) => ({
        names: [`registry.local/library/image-${i}@sha256:${'0'.repeat(56)}${String(i).padStart(8, '0')}`],
        sizeBytes: 10_000_000 + i * 1_234_567,
      })),
    },
  }
}

export function deploymentObject(ns: string, name: string, replicas: number, rng: Rng, now: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, uid: uid(rng), resourceVersion: '', generation: 1, creationTimestamp: now, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container(name, 1)] } },
      revisionHistoryLimit: 10,
    },
    status: { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 },
  }
}

/** The app's settings; the CI deployer rewrites them with each release. */
export function configMapObject(ns: string, app: string, version: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${app}-config`, namespace: ns, uid: '', resourceVersion: '', generation: 0, creationTimestamp: '', labels: { app } },
    data: { 'app.properties': `release=v${version}\nlog.level=info\nport=8080\n`, RELEASE: `v${version}` },
  }
}

/** The app's credentials: random bytes, so a plaintext leak would be visible in the database file. */
export function secretObject(ns: string, app: string, rng: Rng): KubeObject {
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(256))
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${app}-credentials`, namespace: ns, uid: '', resourceVersion: '', generation: 0, creationTimestamp: '', labels: { app } },
    type: 'Opaque',
    data: { username: new TextEncoder().encode(app), password: bytes(24), 'tls.key': bytes(256) },
  }
}

export function container(app: string, version: number): Record<string, unknown> {
  return {
    name: app,
    image: `registry.local/${app}:v${version}`,
    args: ['--port=8080', '--log-level=info'],
    env: [{ name: 'APP', value: app }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  }
}

export interface PodPlacement {
  ns: string
  name: string
  app: string
  node: string
  templateHash: string
  template: unknown
  owner: { name: string; uid: string }
}

export function podObject(p: PodPlacement, rng: Rng, now: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.ns,
      uid: uid(rng),
      resourceVersion: '',
      generation: 1,
      creationTimestamp: now,
      labels: { app: p.app, 'pod-template-hash': p.templateHash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${p.app}-${p.templateHash}`, uid: p.owner.uid, controller: true }],
    },
    spec: { ...(p.template as Record<string, unknown>), nodeName: p.node, restartPolicy: 'Always', serviceAccountName: 'default' },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now }] },
  }
}

export interface EventSubject {
  kind: string
  namespace: string
  name: string
  uid: string
}

export function eventObject(name: string, subject: EventSubject, reason: string, message: string, component: string, now: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: subject.namespace, uid: '', resourceVersion: '', generation: 0, creationTimestamp: now },
    involvedObject: { kind: subject.kind, namespace: subject.namespace, name: subject.name, uid: subject.uid },
    reason,
    message,
    source: { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type: reason === 'Unhealthy' || reason === 'NodeNotReady' ? 'Warning' : 'Normal',
  }
}

export function endpointsObject(ns: string, name: string, addresses: readonly { ip: string; nodeName: string; pod: string }[], rng: Rng, now: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns, uid: uid(rng), resourceVersion: '', generation: 0, creationTimestamp: now, labels: { app: name } },
    subsets: endpointSubsets(ns, addresses),
  }
}

export function endpointSubsets(ns: string, addresses: readonly { ip: string; nodeName: string; pod: string }[]): unknown[] {
  if (addresses.length === 0) return []
  return [
    {
      addresses: addresses.map((a) => ({ ip: a.ip, nodeName: a.nodeName, targetRef: { kind: 'Pod', namespace: ns, name: a.pod } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]
}

/** Reads a nested field of a decoded object without trusting its shape. */
export function field(object: unknown, ...path: string[]): unknown {
  let at: unknown = object
  for (const p of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<string, unknown>)[p]
  }
  return at
}

/** The same, for an object field to be changed in place (created when missing). */
export function record(object: Record<string, unknown>, name: string): Record<string, unknown> {
  const at = object[name]
  if (at !== null && typeof at === 'object' && !Array.isArray(at)) return at as Record<string, unknown>
  const fresh: Record<string, unknown> = {}
  object[name] = fresh
  return fresh
}

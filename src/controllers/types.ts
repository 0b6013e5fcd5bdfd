// The shapes of the objects the control loops read and write: only the fields they use. Anything
// else an object carries rides along untouched (the index signatures).

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

export interface ObjectMeta {
  name: string
  namespace?: string
  uid: string
  resourceVersion: string
  generation?: number
  generateName?: string
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: OwnerReference[]
  finalizers?: string[]
  [field: string]: unknown
}

export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  [field: string]: unknown
}

export interface Condition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason?: string
  message?: string
  lastTransitionTime?: string
  lastUpdateTime?: string
  lastHeartbeatTime?: string
  lastProbeTime?: string | null
}

export interface Container {
  name: string
  image?: string
  [field: string]: unknown
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown }
  spec?: { containers?: Container[]; [field: string]: unknown }
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; schedulerName?: string; containers?: Container[]; initContainers?: Container[]; [field: string]: unknown }
  status?: { phase?: string; conditions?: Condition[]; [field: string]: unknown }
}

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: PodTemplate; [field: string]: unknown }
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; fullyLabeledReplicas?: number; observedGeneration?: number }
}

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number
    paused?: boolean
    selector?: { matchLabels?: Record<string, string> }
    template?: PodTemplate
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } }
    [field: string]: unknown
  }
  status?: Record<string, unknown>
}

export interface NodeObject extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: { key: string; effect: string; value?: string }[]; [field: string]: unknown }
  status?: { conditions?: Condition[]; [field: string]: unknown }
}

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; [field: string]: unknown }
}

/** A watch event as the API sends it, one JSON object per line. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  object: KubeObject
}

export function conditionOf(o: { status?: { conditions?: Condition[] } | Record<string, unknown> } | undefined, type: string): Condition | undefined {
  const list = (o?.status as { conditions?: Condition[] } | undefined)?.conditions
  return Array.isArray(list) ? list.find((c) => c.type === type) : undefined
}

/** The owner reference with controller=true, if any. */
export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true)
}

/** Kubernetes' MicroTime / Time text for a clock reading. */
export function timeText(ms: number, micro = false): string {
  const iso = new Date(ms).toISOString()
  return micro ? iso.replace(/\.(\d{3})Z$/, '.$1000Z') : iso.replace(/\.\d{3}Z$/, 'Z')
}

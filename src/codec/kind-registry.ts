// Which kinds are stored as protobuf, and with which message type. A kind not registered here
// is still stored, with a MessagePack body. A registry owns its protobufjs Root: schemas loaded
// into one registry never leak into another.
import type { Root, Type } from 'protobufjs'
import { InvalidArgumentError } from '../util/index.js'
import { planMessage, type MessagePlan } from './message-plan.js'
import { loadProtoFiles, newRoot } from './proto-files.js'

export interface KindRegistration {
  apiVersion: string
  kind: string
  /** Full protobuf message name, e.g. "etchlog.core.v1.Pod". */
  messageType: string
}

export interface RegisteredKind {
  readonly apiVersion: string
  readonly kind: string
  readonly plan: MessagePlan
}

/** The kinds and schemas shipped in proto/ (docs/codec-format.md). */
export const shippedProtoFiles: readonly string[] = [
  'etchlog/meta/v1/meta.proto',
  'etchlog/core/v1/core.proto',
  'etchlog/apps/v1/apps.proto',
]

export const shippedKinds: readonly KindRegistration[] = [
  { apiVersion: 'v1', kind: 'Pod', messageType: 'etchlog.core.v1.Pod' },
  { apiVersion: 'v1', kind: 'ConfigMap', messageType: 'etchlog.core.v1.ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret', messageType: 'etchlog.core.v1.Secret' },
  { apiVersion: 'apps/v1', kind: 'Deployment', messageType: 'etchlog.apps.v1.Deployment' },
]

export class KindRegistry {
  private readonly root: Root = newRoot()
  // One plan per message type, shared by every kind and field that uses it.
  private readonly plans = new Map<Type, MessagePlan>()
  // Keyed by gvkKey(apiVersion, kind); entries are never replaced (bytes already written rely on them).
  private readonly kinds = new Map<string, RegisteredKind>()

  /** Loads .proto files (paths absolute or relative to includeDirs / the shipped proto/). */
  loadProtoFiles(files: readonly string[], options: { includeDirs?: readonly string[] } = {}): this {
    loadProtoFiles(this.root, files, options.includeDirs)
    return this
  }

  register(registration: KindRegistration): this {
    const { apiVersion, kind, messageType } = registration
    if (apiVersion === '' || kind === '') throw new InvalidArgumentError('codec: a registration needs apiVersion and kind')
    const key = gvkKey(apiVersion, kind)
    if (this.kinds.has(key)) throw new InvalidArgumentError(`codec: kind ${key} is already registered`)
    let type: Type
    try {
      type = this.root.lookupType(messageType)
    } catch (err) {
      throw new InvalidArgumentError(
        `codec: message type ${messageType} for ${key} is not loaded: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
    this.kinds.set(key, { apiVersion, kind, plan: planMessage(type, this.plans) })
    return this
  }

  lookup(apiVersion: string, kind: string): RegisteredKind | undefined {
    return this.kinds.get(gvkKey(apiVersion, kind))
  }

  registered(): KindRegistration[] {
    return [...this.kinds.values()].map((k) => ({ apiVersion: k.apiVersion, kind: k.kind, messageType: k.plan.name }))
  }
}

/** A registry with the shipped schemas and kinds (Pod, ConfigMap, Secret, Deployment). */
export function defaultRegistry(): KindRegistry {
  const registry = new KindRegistry().loadProtoFiles(shippedProtoFiles)
  for (const k of shippedKinds) registry.register(k)
  return registry
}

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}, Kind=${kind}` // Kubernetes' GroupVersionKind.String() form
}

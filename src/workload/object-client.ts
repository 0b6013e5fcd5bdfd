// Kubernetes-object storage over the KV API, the way kube-apiserver's etcd3 store does it:
// create = "put if mod_revision == 0", GuaranteedUpdate = read, change, "put if mod_revision ==
// expected else range" and retry with the value the failure branch returned. Actors see only
// ObjectClient, so moving them onto the object layer (src/objects) means one adapter, not a rewrite.
import { ObjectCodec, defaultRegistry, type KubeObject } from '../codec/index.js'
import type { KeyValue, ResponseOp } from '../mvcc/index.js'
import { assert, bytesEqual, prefixEnd, toBytes } from '../util/index.js'
import type { Watcher } from '../watchcache/index.js'
import type { KvApi } from './kv-api.js'

/** Returns the changed object, or undefined when nothing needs to change (no write). */
export type TryUpdate = (current: KubeObject) => KubeObject | undefined

export interface UpdateOutcome {
  /** False when the key is missing or tryUpdate had nothing to change. */
  written: boolean
  missing: boolean
  /** Txns (or reads) it took: 1 plus one per lost compare. */
  attempts: number
  revision: number
  /** The object as stored afterwards (undefined when missing). */
  object: KubeObject | undefined
}

export interface ListResult {
  revision: number
  items: KeyValue[]
}

export interface ObjectClient {
  decode(kv: KeyValue): KubeObject
  get(key: string): Promise<KeyValue | undefined>
  /** Paged like the API server's list: the first page fixes the revision, the others read at it. */
  list(prefix: string, pageSize?: number): Promise<ListResult>
  /** Create if absent; false when the key exists. */
  create(key: string, object: KubeObject, options?: { lease?: number }): Promise<{ created: boolean; revision: number }>
  guaranteedUpdate(key: string, tryUpdate: TryUpdate, suggestion?: KeyValue): Promise<UpdateOutcome>
  /** Delete if still at `modRevision`; false when it moved or is gone (the caller reconciles again). */
  delete(key: string, modRevision: number): Promise<boolean>
  /** Every change under `prefix` from `startRevision` on (the list revision + 1). */
  watch(prefix: string, startRevision: number, signal?: AbortSignal): Watcher
}

export const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')

export class KvObjectClient implements ObjectClient {
  private readonly codec = new ObjectCodec(defaultRegistry())

  constructor(private readonly kv: KvApi) {}

  decode(kv: KeyValue): KubeObject {
    return this.codec.decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision })
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.kv.get(key)
  }

  async list(prefix: string, pageSize = 500): Promise<ListResult> {
    const first = await this.kv.range({ key: prefix, prefix: true, limit: pageSize })
    const items = first.kvs
    let more = first.more
    while (more) {
      const last = items[items.length - 1]
      assert(last !== undefined, 'workload: a page with more has items')
      // Continue strictly after the last key (the continue token's key + "\0"), pinned at the list revision.
      const start = Buffer.concat([last.key, Buffer.from([0])])
      const page = await this.kv.range({ key: start, rangeEnd: prefixEnd(toBytes(prefix, 'prefix')), limit: pageSize, revision: first.revision })
      items.push(...page.kvs)
      more = page.more
    }
    return { revision: first.revision, items }
  }

  async create(key: string, object: KubeObject, options: { lease?: number } = {}): Promise<{ created: boolean; revision: number }> {
    const r = await this.kv.txn({
      compare: [{ key, target: 'MOD', result: 'EQUAL', value: 0 }],
      success: [{ put: { key, value: this.codec.encode(object), ...(options.lease === undefined ? {} : { lease: options.lease }) } }],
    })
    return { created: r.succeeded, revision: r.revision }
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, suggestion?: KeyValue): Promise<UpdateOutcome> {
    let current = suggestion ?? (await this.kv.get(key))
    for (let attempts = 1; ; attempts++) {
      if (current === undefined) return { written: false, missing: true, attempts, revision: this.kv.revision, object: undefined }
      // Each attempt decodes afresh, so tryUpdate may change what it is given.
      const next = tryUpdate(this.decode(current))
      if (next === undefined) return { written: false, missing: false, attempts, revision: current.modRevision, object: this.decode(current) }
      const bytes = this.codec.encode(next)
      // No-op detection (GuaranteedUpdate step 4): identical bytes are not written again.
      if (bytesEqual(bytes, current.value)) return { written: false, missing: false, attempts, revision: current.modRevision, object: next }
      const r = await this.kv.txn({
        compare: [{ key, target: 'MOD', result: 'EQUAL', value: current.modRevision }],
        success: [{ put: { key, value: bytes } }],
        failure: [{ range: { key } }],
      })
      if (r.succeeded) {
        next.metadata.resourceVersion = String(r.revision)
        return { written: true, missing: false, attempts, revision: r.revision, object: next }
      }
      current = freshValue(r.responses)
    }
  }

  async delete(key: string, modRevision: number): Promise<boolean> {
    const r = await this.kv.txn({
      compare: [{ key, target: 'MOD', result: 'EQUAL', value: modRevision }],
      success: [{ deleteRange: { key } }],
    })
    return r.succeeded
  }

  watch(prefix: string, startRevision: number, signal?: AbortSignal): Watcher {
    return this.kv.watch({ key: prefix, prefix: true, startRevision, ...(signal === undefined ? {} : { signal }) })
  }
}

/** The value the failure branch's range returned: the key as it is now (undefined: deleted). */
function freshValue(responses: readonly ResponseOp[]): KeyValue | undefined {
  const first = responses[0]
  assert(first !== undefined && 'range' in first, 'workload: the failure branch is one range')
  return first.range.kvs[0]
}

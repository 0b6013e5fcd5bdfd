// A thin gRPC client for etcd's KV and Lease services that speaks etchlog's request and
// response shapes (src/mvcc/types.ts), so the differential tests can send one request to both.
// etcd's lease IDs are int64 and often above 2^53: they cross this adapter as decimal strings and
// the caller maps them (LeaseMap) to the numbers it uses on the etchlog side.
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type {
  BytesLike,
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from '../../src/index.js'

/** A gRPC error from etcd: status name (e.g. 'OUT_OF_RANGE') and etcd's message. */
export class EtcdRpcError extends Error {
  constructor(
    readonly code: string,
    readonly details: string,
  ) {
    super(`${code}: ${details}`)
    this.name = 'EtcdRpcError'
  }
}

/** Translates lease IDs between etchlog's numbers and etcd's int64 decimal strings. */
export interface LeaseMap {
  toEtcd(id: number): string
  fromEtcd(id: string): number
}

export const identityLeases: LeaseMap = { toEtcd: (id) => String(id), fromEtcd: (id) => Number(id) }

// ---- wire shapes (proto-loader: longs and enums as strings, bytes as Buffer, defaults filled) ----

interface WireHeader { revision: string }
interface WireKv { key: Buffer; value: Buffer; createRevision: string; modRevision: string; version: string; lease: string }
interface WireRange { header: WireHeader; kvs: WireKv[]; more: boolean; count: string }
interface WirePut { header: WireHeader; prevKv: WireKv | null }
interface WireDelete { header: WireHeader; deleted: string; prevKvs: WireKv[] }
interface WireTxn { header: WireHeader | null; succeeded: boolean; responses: WireResponseOp[] }
interface WireResponseOp {
  response: 'responseRange' | 'responsePut' | 'responseDeleteRange' | 'responseTxn'
  responseRange?: WireRange
  responsePut?: WirePut
  responseDeleteRange?: WireDelete
  responseTxn?: WireTxn
}
interface WireLease { header: WireHeader; ID: string; TTL: string; grantedTTL?: string; keys?: Buffer[]; error?: string }

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void
type UnaryMethod = (req: object, options: grpc.CallOptions, cb: Callback) => void
type ServiceClient = grpc.Client & Record<string, unknown>

const STATUS_NAMES = new Map(Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]))

// etcd's client API as the etcd front serves it (a superset of what the tests call).
const protoPath = fileURLToPath(new URL('../../src/etcdserver/etcd-rpc.proto', import.meta.url))
const SORT_ORDERS = new Map<string, number>([['NONE', 0], ['ASCEND', 1], ['DESCEND', 2]])
const SORT_TARGETS = new Map<string, number>([['KEY', 0], ['VERSION', 1], ['CREATE', 2], ['MOD', 3], ['VALUE', 4]])
/** Not an enum value of etcd's: sent as a number to test how an unknown sort option is treated. */
export const UNKNOWN_ENUM = 7

const bytes = (v: BytesLike | undefined): Buffer =>
  v === undefined ? Buffer.alloc(0) : typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v)

/** etcd's GetPrefixRangeEnd: strip trailing 0xff, add one to the last byte; none left: "\0". */
export function prefixEnd(key: Buffer): Buffer {
  const end = Buffer.from(key)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i] = (end[i] ?? 0) + 1
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}

/**
 * The range_end to send, or undefined for none. An empty range_end must be left off the wire, as
 * Go's clientv3 does: etcd 3.4 (gogo protobuf) keeps a present-but-empty bytes field as a non-nil
 * empty slice and then reads it as "every key >= key", while protobufjs writes empty fields.
 */
function rangeEnd(key: BytesLike | undefined, end: BytesLike | undefined, prefix: boolean | undefined): Buffer | undefined {
  const b = prefix === true ? prefixEnd(bytes(key)) : bytes(end)
  return b.length === 0 ? undefined : b
}

export class EtcdClient {
  private readonly kv: ServiceClient
  private readonly lease: ServiceClient
  private readonly deadlineMs = 15_000

  constructor(
    endpoint: string,
    private readonly leaseMap: LeaseMap = identityLeases,
  ) {
    const definition = protoLoader.loadSync(protoPath, { longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true })
    const pkg = grpc.loadPackageDefinition(definition).etcdserverpb as grpc.GrpcObject
    const KV = pkg.KV as grpc.ServiceClientConstructor
    const Lease = pkg.Lease as grpc.ServiceClientConstructor
    this.kv = new KV(endpoint, grpc.credentials.createInsecure()) as ServiceClient
    // One channel for both services: same target and options share grpc-js's subchannel.
    this.lease = new Lease(endpoint, grpc.credentials.createInsecure()) as ServiceClient
  }

  close(): void {
    this.kv.close()
    this.lease.close()
  }

  private call(client: ServiceClient, method: string, req: object): Promise<unknown> {
    const fn = client[method] as UnaryMethod
    return new Promise((resolve, reject) => {
      fn.call(client, req, { deadline: Date.now() + this.deadlineMs }, (err, res) => {
        if (err !== null) reject(new EtcdRpcError(STATUS_NAMES.get(err.code) ?? String(err.code), err.details))
        else resolve(res)
      })
    })
  }

  // ---- requests ----

  private rangeReq(r: RangeRequest): object {
    const order = r.sortOrder === undefined ? 0 : (SORT_ORDERS.get(r.sortOrder) ?? UNKNOWN_ENUM)
    const target = r.sortTarget === undefined ? 0 : (SORT_TARGETS.get(r.sortTarget) ?? UNKNOWN_ENUM)
    return {
      key: bytes(r.key),
      rangeEnd: rangeEnd(r.key, r.rangeEnd, r.prefix),
      limit: r.limit ?? 0,
      revision: r.revision ?? 0,
      sortOrder: order,
      sortTarget: target,
      keysOnly: r.keysOnly ?? false,
      countOnly: r.countOnly ?? false,
      minModRevision: r.minModRevision ?? 0,
      maxModRevision: r.maxModRevision ?? 0,
      minCreateRevision: r.minCreateRevision ?? 0,
      maxCreateRevision: r.maxCreateRevision ?? 0,
    }
  }

  private putReq(p: PutRequest): object {
    return {
      key: bytes(p.key),
      value: bytes(p.value),
      lease: this.leaseMap.toEtcd(p.lease ?? 0),
      prevKv: p.prevKv ?? false,
      ignoreValue: p.ignoreValue ?? false,
      ignoreLease: p.ignoreLease ?? false,
    }
  }

  private deleteReq(d: DeleteRangeRequest): object {
    return { key: bytes(d.key), rangeEnd: rangeEnd(d.key, d.rangeEnd, d.prefix), prevKv: d.prevKv ?? false }
  }

  private compareReq(c: Compare): object {
    const base = { key: bytes(c.key), rangeEnd: rangeEnd(c.key, c.rangeEnd, false), target: c.target, result: c.result }
    const n = typeof c.value === 'number' ? c.value : 0
    switch (c.target) {
      case 'VERSION':
        return { ...base, version: n }
      case 'CREATE':
        return { ...base, createRevision: n }
      case 'MOD':
        return { ...base, modRevision: n }
      case 'LEASE':
        return { ...base, lease: this.leaseMap.toEtcd(n) }
      case 'VALUE':
        return { ...base, value: typeof c.value === 'number' ? Buffer.alloc(0) : bytes(c.value) }
    }
  }

  private opReq(op: RequestOp): object {
    if ('range' in op) return { requestRange: this.rangeReq(op.range) }
    if ('put' in op) return { requestPut: this.putReq(op.put) }
    if ('deleteRange' in op) return { requestDeleteRange: this.deleteReq(op.deleteRange) }
    return { requestTxn: this.txnReq(op.txn) }
  }

  private txnReq(t: TxnRequest): object {
    return {
      compare: (t.compare ?? []).map((c) => this.compareReq(c)),
      success: (t.success ?? []).map((op) => this.opReq(op)),
      failure: (t.failure ?? []).map((op) => this.opReq(op)),
    }
  }

  // ---- responses ----

  private kvOf(kv: WireKv): KeyValue {
    return {
      key: kv.key,
      value: kv.value,
      createRevision: Number(kv.createRevision),
      modRevision: Number(kv.modRevision),
      version: Number(kv.version),
      lease: this.leaseMap.fromEtcd(kv.lease),
    }
  }

  private rangeOf(r: WireRange): RangeResponse {
    return { revision: Number(r.header.revision), kvs: r.kvs.map((kv) => this.kvOf(kv)), count: Number(r.count), more: r.more }
  }

  /** etcd sends no prev_kv for a new key (or without prev_kv asked); etchlog leaves the field out too. */
  private putOf(r: WirePut): PutResponse {
    const response: PutResponse = { revision: Number(r.header.revision) }
    if (r.prevKv !== null) response.prevKv = this.kvOf(r.prevKv)
    return response
  }

  private deleteOf(r: WireDelete, prevKv: boolean): DeleteRangeResponse {
    const response: DeleteRangeResponse = { revision: Number(r.header.revision), deleted: Number(r.deleted) }
    if (prevKv) response.prevKvs = r.prevKvs.map((kv) => this.kvOf(kv))
    return response
  }

  private txnOf(r: WireTxn, t: TxnRequest): TxnResponse {
    const ops = (r.succeeded ? t.success : t.failure) ?? []
    const responses = r.responses.map((resp, i): ResponseOp => {
      const op = ops[i]
      switch (resp.response) {
        case 'responseRange':
          return { range: this.rangeOf(resp.responseRange as WireRange) }
        case 'responsePut':
          return { put: this.putOf(resp.responsePut as WirePut) }
        case 'responseDeleteRange':
          return { deleteRange: this.deleteOf(resp.responseDeleteRange as WireDelete, op !== undefined && 'deleteRange' in op && op.deleteRange.prevKv === true) }
        case 'responseTxn':
          return { txn: this.txnOf(resp.responseTxn as WireTxn, op !== undefined && 'txn' in op ? op.txn : {}) }
      }
    })
    // A nested txn's header is left empty by etcd 3.4 (null on the wire): revision 0.
    return { revision: Number(r.header?.revision ?? 0), succeeded: r.succeeded, responses }
  }

  // ---- calls ----

  async range(r: RangeRequest): Promise<RangeResponse> {
    return this.rangeOf((await this.call(this.kv, 'Range', this.rangeReq(r))) as WireRange)
  }

  async put(p: PutRequest): Promise<PutResponse> {
    return this.putOf((await this.call(this.kv, 'Put', this.putReq(p))) as WirePut)
  }

  async deleteRange(d: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    return this.deleteOf((await this.call(this.kv, 'DeleteRange', this.deleteReq(d))) as WireDelete, d.prevKv === true)
  }

  async txn(t: TxnRequest): Promise<TxnResponse> {
    return this.txnOf((await this.call(this.kv, 'Txn', this.txnReq(t))) as WireTxn, t)
  }

  async compact(revision: number, physical: boolean): Promise<{ revision: number }> {
    const r = (await this.call(this.kv, 'Compact', { revision, physical })) as { header: WireHeader }
    return { revision: Number(r.header.revision) }
  }

  /** id: the etcd ID to ask for ('0': etcd picks). Returns etcd's ID as a string. */
  async leaseGrant(ttl: number, id: string): Promise<{ id: string; ttl: number; revision: number }> {
    const r = (await this.call(this.lease, 'LeaseGrant', { TTL: ttl, ID: id })) as WireLease
    if (r.error !== undefined && r.error !== '') throw new EtcdRpcError('GRANT_ERROR', r.error)
    return { id: r.ID, ttl: Number(r.TTL), revision: Number(r.header.revision) }
  }

  async leaseRevoke(id: number): Promise<{ revision: number }> {
    const r = (await this.call(this.lease, 'LeaseRevoke', { ID: this.leaseMap.toEtcd(id) })) as { header: WireHeader }
    return { revision: Number(r.header.revision) }
  }

  async leaseTimeToLive(id: number, keys: boolean): Promise<{ id: number; ttl: number; grantedTtl: number; keys?: Uint8Array[] }> {
    const r = (await this.call(this.lease, 'LeaseTimeToLive', { ID: this.leaseMap.toEtcd(id), keys })) as WireLease
    const response: { id: number; ttl: number; grantedTtl: number; keys?: Uint8Array[] } = {
      id: this.leaseMap.fromEtcd(r.ID),
      ttl: Number(r.TTL),
      grantedTtl: Number(r.grantedTTL ?? 0),
    }
    if (keys) response.keys = r.keys ?? []
    return response
  }

  async leases(): Promise<Array<{ id: number }>> {
    const r = (await this.call(this.lease, 'LeaseLeases', {})) as { leases: Array<{ ID: string }> }
    return r.leases.map((l) => ({ id: this.leaseMap.fromEtcd(l.ID) }))
  }

  /** One request on the LeaseKeepAlive stream, one answer, then the stream is closed. */
  async leaseKeepAlive(id: number): Promise<{ id: number; ttl: number }> {
    const open = this.lease.LeaseKeepAlive as (options: grpc.CallOptions) => grpc.ClientDuplexStream<object, WireLease>
    const stream = open.call(this.lease, { deadline: Date.now() + this.deadlineMs })
    return new Promise((resolve, reject) => {
      stream.once('data', (r: WireLease) => {
        resolve({ id: this.leaseMap.fromEtcd(r.ID), ttl: Number(r.TTL) })
        stream.cancel()
      })
      stream.once('error', (err: grpc.ServiceError) => {
        // The cancel above ends the call with CANCELLED after the answer: not an error of the call.
        if (err.code !== grpc.status.CANCELLED) reject(new EtcdRpcError(STATUS_NAMES.get(err.code) ?? String(err.code), err.details))
      })
      stream.write({ ID: this.leaseMap.toEtcd(id) })
    })
  }
}

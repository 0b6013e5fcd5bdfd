// etchctl --endpoints: the store's KV, lease, watch and maintenance calls sent as etcd v3 gRPC to
// an endpoint (etchlog's front or a real etcd), with etcd's gRPC errors turned back into the
// store's error classes so every command prints what it prints locally. Lease IDs cross as
// numbers (the Store API's), exact below 2^53: etcd's own larger IDs lose precision here.
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import * as grpc from '@grpc/grpc-js'
import { etcdProto } from '../etcdserver/index.js'
import {
  CompactedError,
  DuplicateKeyError,
  FutureRevisionError,
  InvalidArgumentError,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  TooManyOpsError,
  type BytesLike,
  type DeleteRangeRequest,
  type KeyValue,
  type PutOptions,
  type RangeRequest,
  type RequestOp,
  type ResponseOp,
  type StatusResponse,
  type TxnRequest,
  type TxnResponse,
  type WatchRequest,
  type WatchResponse,
} from '../index.js'
import { CommandError } from './errors.js'

type Wire = Record<string, unknown>
type Client = grpc.Client & Record<string, (...a: unknown[]) => unknown>
interface WireKv { key: Buffer; value: Buffer; create_revision: string; mod_revision: string; version: string; lease: string }

const bytes = (v: BytesLike | undefined): Buffer => (v === undefined ? Buffer.alloc(0) : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v))

function prefixEnd(key: Buffer): Buffer {
  const end = Buffer.from(key)
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}

/**
 * range_end, or undefined to leave it off the wire: etcd 3.4 reads a present-but-empty bytes field
 * (which protobufjs writes) as "\0", every key >= key.
 */
function endOf(r: { key: BytesLike; rangeEnd?: BytesLike; prefix?: boolean }): Buffer | undefined {
  const end = r.prefix === true ? prefixEnd(bytes(r.key)) : bytes(r.rangeEnd)
  return end.length === 0 ? undefined : end
}

function kvOf(kv: WireKv): KeyValue {
  return { key: kv.key, value: kv.value, createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision), version: Number(kv.version), lease: Number(kv.lease) }
}

/** etcd's answer as the store's error class (the CLI prints those), or a CommandError. */
function fromGrpc(err: grpc.ServiceError): Error {
  const d = err.details
  if (d === 'etcdserver: mvcc: required revision has been compacted') return new CompactedError(0, 0)
  if (d === 'etcdserver: mvcc: required revision is a future revision') return new FutureRevisionError(0, 0)
  if (d === 'etcdserver: duplicate key given in txn request') return new DuplicateKeyError('?')
  if (d === 'etcdserver: too many operations in txn request') return new TooManyOpsError(0, 0)
  if (d === 'etcdserver: key not found') return new KeyNotFoundError('?')
  if (d === 'etcdserver: requested lease not found') return new LeaseNotFoundError(0)
  if (d === 'etcdserver: lease already exists') return new LeaseExistsError(0)
  if (err.code === grpc.status.INVALID_ARGUMENT || err.code === grpc.status.OUT_OF_RANGE) return new InvalidArgumentError(d)
  return new CommandError(d === '' ? err.message : d)
}

const sortOrders = ['NONE', 'ASCEND', 'DESCEND']
const sortTargets = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']
const compareTargets = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE']
const compareResults = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL']

function rangeReq(r: RangeRequest): Wire {
  return {
    key: bytes(r.key), range_end: endOf(r), limit: String(r.limit ?? 0), revision: String(r.revision ?? 0),
    sort_order: sortOrders.indexOf(r.sortOrder ?? 'NONE'), sort_target: sortTargets.indexOf(r.sortTarget ?? 'KEY'),
    keys_only: r.keysOnly === true, count_only: r.countOnly === true,
    min_mod_revision: String(r.minModRevision ?? 0), max_mod_revision: String(r.maxModRevision ?? 0),
    min_create_revision: String(r.minCreateRevision ?? 0), max_create_revision: String(r.maxCreateRevision ?? 0),
  }
}

function putReq(p: PutOptions & { key: BytesLike; value?: BytesLike }): Wire {
  return { key: bytes(p.key), value: bytes(p.value), lease: String(p.lease ?? 0), prev_kv: p.prevKv === true, ignore_value: p.ignoreValue === true, ignore_lease: p.ignoreLease === true }
}

const deleteReq = (d: DeleteRangeRequest): Wire => ({ key: bytes(d.key), range_end: endOf(d), prev_kv: d.prevKv === true })

function opReq(op: RequestOp): Wire {
  if ('range' in op) return { request_range: rangeReq(op.range) }
  if ('put' in op) return { request_put: putReq(op.put) }
  if ('deleteRange' in op) return { request_delete_range: deleteReq(op.deleteRange) }
  return { request_txn: txnReq(op.txn) }
}

function txnReq(t: TxnRequest): Wire {
  return {
    compare: (t.compare ?? []).map((c) => {
      const target = compareTargets.indexOf(c.target)
      const field = ['version', 'create_revision', 'mod_revision', 'value', 'lease'][target] as string
      return { key: bytes(c.key), range_end: endOf({ key: c.key, ...(c.rangeEnd === undefined ? {} : { rangeEnd: c.rangeEnd }) }), target, result: compareResults.indexOf(c.result), [field]: c.target === 'VALUE' ? bytes(c.value as BytesLike) : String(c.value) }
    }),
    success: (t.success ?? []).map(opReq),
    failure: (t.failure ?? []).map(opReq),
  }
}

const revisionOf = (m: Wire): number => Number((m.header as { revision?: string } | null)?.revision ?? 0)

function responseOf(r: Wire): ResponseOp {
  if (r.response_range != null) {
    const x = r.response_range as Wire
    return { range: { revision: revisionOf(x), kvs: (x.kvs as WireKv[]).map(kvOf), count: Number(x.count), more: x.more === true } }
  }
  if (r.response_put != null) {
    const x = r.response_put as Wire
    return { put: x.prev_kv == null ? { revision: revisionOf(x) } : { revision: revisionOf(x), prevKv: kvOf(x.prev_kv as WireKv) } }
  }
  if (r.response_delete_range != null) {
    const x = r.response_delete_range as Wire
    return { deleteRange: { revision: revisionOf(x), deleted: Number(x.deleted), prevKvs: (x.prev_kvs as WireKv[]).map(kvOf) } }
  }
  return { txn: txnOf(r.response_txn as Wire) }
}

const txnOf = (x: Wire): TxnResponse => ({ revision: revisionOf(x), succeeded: x.succeeded === true, responses: (x.responses as Wire[]).map(responseOf) })

export class RemoteStore {
  private readonly clients: Record<'kv' | 'lease' | 'watch' | 'maintenance', Client>
  // The newest header revision seen: what the Store's synchronous `revision` answers here.
  private lastRevision = 0

  constructor(readonly endpoint: string) {
    const pkg = grpc.loadPackageDefinition(etcdProto().definition).etcdserverpb as grpc.GrpcObject
    const target = endpoint.replace(/^https?:\/\//, '')
    const make = (name: string): Client => new (pkg[name] as grpc.ServiceClientConstructor)(target, grpc.credentials.createInsecure()) as unknown as Client
    this.clients = { kv: make('KV'), lease: make('Lease'), watch: make('Watch'), maintenance: make('Maintenance') }
  }

  get revision(): number {
    return this.lastRevision
  }

  private call(service: keyof RemoteStore['clients'], method: string, req: Wire): Promise<Wire> {
    const client = this.clients[service]
    return new Promise((resolve, reject) => {
      const fn = client[method] as (r: Wire, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v?: Wire) => void) => void
      fn.call(client, req, { deadline: Date.now() + 30_000 }, (err, res) => {
        if (err !== null || res === undefined) return reject(err === null ? new CommandError('no response') : fromGrpc(err))
        this.lastRevision = Math.max(this.lastRevision, revisionOf(res))
        resolve(res)
      })
    })
  }

  async range(r: RangeRequest) {
    const x = await this.call('kv', 'Range', rangeReq(r))
    return { revision: revisionOf(x), kvs: (x.kvs as WireKv[]).map(kvOf), count: Number(x.count), more: x.more === true }
  }

  async put(key: BytesLike, value?: BytesLike, options: PutOptions = {}) {
    const x = await this.call('kv', 'Put', putReq({ ...options, key, value: value ?? '' }))
    return x.prev_kv == null ? { revision: revisionOf(x) } : { revision: revisionOf(x), prevKv: kvOf(x.prev_kv as WireKv) }
  }

  async deleteRange(d: DeleteRangeRequest) {
    const x = await this.call('kv', 'DeleteRange', deleteReq(d))
    return { revision: revisionOf(x), deleted: Number(x.deleted), prevKvs: (x.prev_kvs as WireKv[]).map(kvOf) }
  }

  async txn(t: TxnRequest): Promise<TxnResponse> {
    return txnOf(await this.call('kv', 'Txn', txnReq(t)))
  }

  async compact(revision: number, options: { physical?: boolean } = {}) {
    return { revision: revisionOf(await this.call('kv', 'Compact', { revision: String(revision), physical: options.physical === true })) }
  }

  async leaseGrant(ttl: number, id = 0) {
    const x = await this.call('lease', 'LeaseGrant', { TTL: String(ttl), ID: String(id) })
    return { id: Number(x.ID), ttl: Number(x.TTL) }
  }

  async leaseRevoke(id: number) {
    return { revision: revisionOf(await this.call('lease', 'LeaseRevoke', { ID: String(id) })) }
  }

  async leaseKeepAlive(id: number) {
    const stream = (this.clients.lease.LeaseKeepAlive as () => grpc.ClientDuplexStream<Wire, Wire>).call(this.clients.lease)
    try {
      const answer = new Promise<Wire>((resolve, reject) => {
        stream.once('data', resolve)
        stream.once('error', (e: grpc.ServiceError) => reject(fromGrpc(e)))
      })
      stream.write({ ID: String(id) })
      const x = await answer
      return { id, ttl: Number(x.TTL) }
    } finally {
      stream.cancel()
    }
  }

  async leaseTimeToLive(id: number, options: { keys?: boolean } = {}) {
    const x = await this.call('lease', 'LeaseTimeToLive', { ID: String(id), keys: options.keys === true })
    const r = { id: Number(x.ID), ttl: Number(x.TTL), grantedTtl: Number(x.grantedTTL) }
    return options.keys === true ? { ...r, keys: x.keys as Buffer[] } : r
  }

  async leases() {
    return ((await this.call('lease', 'LeaseLeases', {})).leases as Array<{ ID: string }>).map((l) => ({ id: Number(l.ID) }))
  }

  async status(): Promise<StatusResponse> {
    const s = await this.call('maintenance', 'Status', {})
    const h = await this.call('maintenance', 'HashKV', { revision: '0' })
    return {
      version: String(s.version), revision: revisionOf(s), compactRevision: Number(h.compact_revision), dbSize: Number(s.dbSize),
      dbSizeInUse: Number(s.dbSizeInUse), walSize: 0, leases: (await this.leases()).length, durability: 'strict', path: this.endpoint,
    }
  }

  async defragment(): Promise<StatusResponse> {
    await this.call('maintenance', 'Defragment', {})
    return this.status()
  }

  watch(request: WatchRequest): AsyncIterable<WatchResponse> & { cancel(): void } {
    const stream = (this.clients.watch.Watch as () => grpc.ClientDuplexStream<Wire, Wire>).call(this.clients.watch)
    const queue: WatchResponse[] = []
    let wake: (() => void) | undefined
    let failed: Error | undefined
    let ended = false
    const push = (r: WatchResponse): void => {
      queue.push(r)
      wake?.()
    }
    stream.on('data', (m: Wire) => {
      if (m.created === true && m.canceled !== true) return
      const events = ((m.events as Array<{ type: number; kv: WireKv; prev_kv: WireKv | null }>) ?? []).map((e) => {
        const ev = { type: e.type === 1 ? ('DELETE' as const) : ('PUT' as const), kv: kvOf(e.kv) }
        return e.prev_kv == null ? ev : { ...ev, prevKv: kvOf(e.prev_kv) }
      })
      const r: WatchResponse = { revision: revisionOf(m), events }
      if (m.canceled === true) {
        r.canceled = true
        if (Number(m.compact_revision) > 0) r.compactRevision = Number(m.compact_revision)
        if (m.cancel_reason !== '') r.cancelReason = String(m.cancel_reason)
      }
      push(r)
    })
    stream.on('error', (e: grpc.ServiceError) => {
      if (e.code !== grpc.status.CANCELLED) failed = fromGrpc(e)
      ended = true
      wake?.()
    })
    stream.on('end', () => {
      ended = true
      wake?.()
    })
    const filters = (request.filters ?? []).map((f) => (f === 'NOPUT' ? 0 : 1))
    stream.write({ create_request: { key: bytes(request.key), range_end: endOf(request), start_revision: String(request.startRevision ?? 0), prev_kv: request.prevKv === true, progress_notify: request.progressNotify === true, filters } })
    const cancel = (): void => {
      ended = true
      stream.cancel()
      wake?.()
    }
    request.signal?.addEventListener('abort', cancel, { once: true })
    return {
      cancel,
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const r = queue.shift()
            if (r !== undefined) {
              yield r
              if (r.canceled === true) return
              continue
            }
            if (failed !== undefined) throw failed
            if (ended) return
            await new Promise<void>((resolve) => (wake = resolve))
            wake = undefined
          }
        } finally {
          stream.cancel()
        }
      },
    }
  }

  /**
   * Maintenance.Snapshot into `destination`: the pieces, then the trailing SHA-256, checked and
   * left out (so from the front the file is the SQLite copy that `snapshot status` reads).
   */
  async backup(destination: string): Promise<void> {
    const stream = (this.clients.maintenance.Snapshot as (r: Wire) => grpc.ClientReadableStream<Wire>).call(this.clients.maintenance, {})
    const chunks: Buffer[] = []
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (m: Wire) => chunks.push(m.blob as Buffer))
      stream.on('error', (e: grpc.ServiceError) => reject(fromGrpc(e)))
      stream.on('end', () => resolve())
    })
    const all = Buffer.concat(chunks)
    const data = all.subarray(0, all.length - 32)
    if (all.length < 32 || !createHash('sha256').update(data).digest().equals(all.subarray(-32))) {
      throw new CommandError('snapshot: sha256 checksum not found or wrong')
    }
    writeFileSync(destination, data, { flag: 'wx' })
  }

  async reencrypt(): Promise<never> {
    throw new CommandError('reencrypt needs the database file: not available with --endpoints')
  }

  /** What a remote endpoint cannot do through etcd's API. */
  async check(): Promise<never> {
    throw new CommandError('check needs the database file: not available with --endpoints')
  }

  async close(): Promise<void> {
    for (const c of Object.values(this.clients)) c.close()
  }
}


// The workload's object client over the Kubernetes REST API (HTTPS, HTTP/2): the same calls as
// ObjectClient, made the way client-go makes them.
// - create: POST to the collection; for a kind with a status subresource the status the object
//   came with is then written by a PUT to /status (as a kubelet registers its Node, then posts status).
// - update (GuaranteedUpdate-style): a GET, the change, then a JSON merge patch of what changed;
//   the server applies it to its latest object, so no 409 reaches the client.
// - updateFrom: a PUT of the changed cached copy carrying its resourceVersion; 409 -> re-read and
//   retry, up to 5 tries (retry.RetryOnConflict).
// - writes to the object itself keep the stored status and /status writes keep metadata, so a
//   change of both is two requests (the object first, then /status at its new resourceVersion).
// - Events: the server has no TTL on Events yet, so ttlSeconds is ignored and they are created
//   normally (they stay until deleted).
import type { KubeObject } from '../codec/index.js'
import { type HttpTransport, HttpStatusError } from './http-transport.js'
import { HttpWatch } from './http-watch.js'
import type { ListPage, ObjectApi, TryUpdate, UpdateOutcome, WatchStream, WatchStreamOptions } from './object-api.js'
import { listPageSize } from './object-client.js'
import { collectionPath, jsonEqual, mergePatch, objectPath, withoutStatus, type ObjectPath } from './resource-paths.js'

const conflictTriesMax = 5
const mergePatchType = 'application/merge-patch+json'

const isCode = (err: unknown, ...codes: number[]): err is HttpStatusError => err instanceof HttpStatusError && codes.includes(err.status)

interface ListBody {
  apiVersion?: string
  kind?: string
  metadata?: { resourceVersion?: string; continue?: string }
  items?: KubeObject[]
}

export class HttpObjectClient implements ObjectApi {
  constructor(
    readonly transport: HttpTransport,
    /** Asks the server for bookmarks soon (in-process: the server's store); none over a remote server. */
    private readonly bookmarks: () => void = () => undefined,
    /** Told every resourceVersion an answer carries (write: an acknowledged write), for a remote server's RemoteKv. */
    private readonly observe: (revision: number, write: boolean) => void = () => undefined,
  ) {}

  private seen<T extends KubeObject>(object: T, write: boolean): T {
    this.observe(Number(object.metadata.resourceVersion), write)
    return object
  }

  async get(key: string): Promise<KubeObject | undefined> {
    try {
      return (await this.transport.call('GET', objectPath(key).item)) as KubeObject
    } catch (err) {
      if (isCode(err, 404)) return undefined
      throw err
    }
  }

  async list(prefix: string, options: { labelSelector?: string; fieldSelector?: string } = {}): Promise<ListPage> {
    const { path } = collectionPath(prefix)
    const items: KubeObject[] = []
    let revision: number | undefined
    let token: string | undefined
    do {
      const q = new URLSearchParams({ limit: String(listPageSize) })
      if (options.labelSelector !== undefined) q.set('labelSelector', options.labelSelector)
      if (options.fieldSelector !== undefined) q.set('fieldSelector', options.fieldSelector)
      if (token !== undefined) q.set('continue', token)
      const body = (await this.transport.call('GET', `${path}?${q}`)) as ListBody
      revision ??= Number(body.metadata?.resourceVersion)
      this.observe(revision, false)
      // List items carry no kind: give them the list's, so a cached copy can be PUT back.
      const kind = body.kind?.replace(/List$/, '')
      for (const item of body.items ?? []) items.push(kind === undefined ? item : { ...item, apiVersion: body.apiVersion ?? item.apiVersion, kind })
      token = body.metadata?.continue === '' ? undefined : body.metadata?.continue
    } while (token !== undefined)
    return { revision: revision ?? 0, items }
  }

  async create(key: string, object: KubeObject, _ttlSeconds?: number): Promise<KubeObject | undefined> {
    const at = objectPath(key)
    const { uid: _u, creationTimestamp: _c, resourceVersion: _r, generation: _g, ...metadata } = object.metadata
    let created: KubeObject
    try {
      created = (await this.transport.call('POST', at.collection, { ...object, metadata })) as KubeObject
    } catch (err) {
      if (isCode(err, 409)) return undefined
      throw err
    }
    const status = (object as { status?: unknown }).status
    this.seen(created, true)
    if (!at.route.status || status === undefined || jsonEqual(status, (created as { status?: unknown }).status)) return created
    return this.seen((await this.transport.call('PUT', `${at.item}/status`, { ...created, status })) as KubeObject, true)
  }

  async update(key: string, tryUpdate: TryUpdate): Promise<UpdateOutcome> {
    const at = objectPath(key)
    const current = await this.get(key)
    if (current === undefined) return { written: false, missing: true, attempts: 1, object: undefined }
    const next = tryUpdate(structuredClone(current))
    if (next === undefined) return { written: false, missing: false, attempts: 1, object: current }
    try {
      const object = await this.write(at, current, next, 'patch')
      return { written: object !== current, missing: false, attempts: 1, object }
    } catch (err) {
      if (isCode(err, 404)) return { written: false, missing: true, attempts: 1, object: undefined }
      throw err
    }
  }

  async updateFrom(key: string, cached: KubeObject | undefined, tryUpdate: TryUpdate): Promise<UpdateOutcome> {
    const at = objectPath(key)
    let copy = cached ?? (await this.get(key))
    for (let attempt = 1; ; attempt++) {
      if (copy === undefined) return { written: false, missing: true, attempts: attempt, object: undefined }
      const next = tryUpdate(structuredClone(copy))
      if (next === undefined) return { written: false, missing: false, attempts: attempt, object: copy }
      try {
        const object = await this.write(at, copy, next, 'put')
        return { written: object !== copy, missing: false, attempts: attempt, object }
      } catch (err) {
        if (isCode(err, 404)) return { written: false, missing: true, attempts: attempt, object: undefined }
        if (!isCode(err, 409) || attempt >= conflictTriesMax) throw err
      }
      copy = await this.get(key)
    }
  }

  async upsert(key: string, fresh: () => KubeObject, tryUpdate: TryUpdate): Promise<UpdateOutcome> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.update(key, tryUpdate)
      if (!out.missing) return { ...out, attempts: attempt }
      const created = await this.create(key, fresh())
      if (created !== undefined) return { written: true, missing: false, attempts: attempt, object: created }
      // Someone else created it in between: update theirs.
      if (attempt >= conflictTriesMax) throw new HttpStatusError(409, 'Conflict', `workload: upsert of ${key} kept racing creates`)
    }
  }

  async delete(key: string, resourceVersion: string): Promise<boolean> {
    try {
      const gone = (await this.transport.call('DELETE', objectPath(key).item, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } })) as KubeObject
      // The answer is the object as deleted (kube-apiserver gives it the delete's resourceVersion).
      if (typeof gone === 'object' && gone !== null && typeof gone.metadata === 'object') this.observe(Number(gone.metadata.resourceVersion), true)
      return true
    } catch (err) {
      if (isCode(err, 404, 409)) return false
      throw err
    }
  }

  watch(prefix: string, options: WatchStreamOptions): WatchStream {
    const q = new URLSearchParams({ watch: '1' })
    if (options.allowWatchBookmarks === true) q.set('allowWatchBookmarks', 'true')
    if (options.sendInitialEvents === true) {
      q.set('sendInitialEvents', 'true')
      q.set('resourceVersionMatch', 'NotOlderThan')
    }
    if (options.resourceVersion !== undefined) q.set('resourceVersion', options.resourceVersion)
    return new HttpWatch(this.transport, `${collectionPath(prefix).path}?${q}`)
  }

  requestBookmarks(): void {
    this.bookmarks()
  }

  /**
   * Writes `next` over `base`: the object itself (metadata, spec, ...) and then /status, each only
   * when it changed. 'put' sends whole objects carrying base's resourceVersion (409 when stale);
   * 'patch' sends merge patches the server applies to its latest object. Returns `base` when
   * nothing changed (no request), else the object as stored after the last request.
   */
  private async write(at: ObjectPath, base: KubeObject, next: KubeObject, mode: 'put' | 'patch'): Promise<KubeObject> {
    const statusOf = (o: KubeObject): unknown => (o as { status?: unknown }).status
    const mainFrom = at.route.status ? withoutStatus(base) : base
    const mainTo = at.route.status ? withoutStatus(next) : next
    let stored = base
    if (!jsonEqual(mainFrom, mainTo)) {
      if (mode === 'put') stored = (await this.transport.call('PUT', at.item, { ...next, metadata: { ...next.metadata, resourceVersion: base.metadata.resourceVersion } })) as KubeObject
      else stored = (await this.transport.call('PATCH', at.item, mergePatch(mainFrom, mainTo), mergePatchType)) as KubeObject
      this.seen(stored, true)
    }
    if (at.route.status && !jsonEqual(statusOf(base), statusOf(next))) {
      if (mode === 'put') stored = (await this.transport.call('PUT', `${at.item}/status`, { ...stored, status: statusOf(next) })) as KubeObject
      else stored = (await this.transport.call('PATCH', `${at.item}/status`, { status: mergePatch(statusOf(base), statusOf(next)) ?? null }, mergePatchType)) as KubeObject
      this.seen(stored, true)
    }
    return stored
  }
}

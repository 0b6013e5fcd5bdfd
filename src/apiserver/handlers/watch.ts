// Watch over HTTP: one JSON line per event on a chunked response whose headers are flushed at
// once (kubectl-surface fact 7). Each event is encoded once per representation and shared by
// every stream that sends it (the cacher's cachingObject): the object layer hands every watcher
// the same frozen object, so a WeakMap keyed by it finds the bytes another stream already made.
// Problems after the 200 (a compacted start, a watcher cut off) end the stream with an ERROR
// event carrying a Status, as client-go's reflector expects.
import type { KubeObject } from '../../codec/index.js'
import type { ObjectWatchEvent, ObjectWatchOptions } from '../../objects/index.js'
import { statusOf } from '../api-error.js'
import type { ApiResponse } from '../http/io.js'
import { tableVersion, toTable, wantsTable } from '../table.js'
import { queryInt, type HandlerArgs } from './context.js'
import { includeObjectOf, listQuery } from './read.js'

// object -> representation key -> encoded line (without the event type, which differs per event).
const encoded = new WeakMap<object, Map<string, string>>()

function encodeOnce(object: object, representation: string, encode: () => string): string {
  let m = encoded.get(object)
  if (m === undefined) encoded.set(object, (m = new Map()))
  let text = m.get(representation)
  if (text === undefined) m.set(representation, (text = encode()))
  return text
}

/** Kubernetes picks each watch's lifetime between 30 and 60 minutes so that reconnects spread out. */
const minRequestTimeoutSeconds = 1800

/** Counts of open watch streams, for /metrics. */
export const watchStreams = { open: 0, total: 0, eventsSent: 0 }

export async function watchObjects(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource, res } = a
  const q = listQuery(resource, info.query)
  const timeoutSeconds = queryInt(info.query, 'timeoutSeconds') ?? Math.round(minRequestTimeoutSeconds * (1 + Math.random()))
  const sendInitial = info.query.get('sendInitialEvents')
  const options: ObjectWatchOptions = {
    ...(q.resourceVersion === undefined ? {} : { resourceVersion: q.resourceVersion }),
    ...(q.labelSelector === undefined ? {} : { labelSelector: q.labelSelector }),
    ...(q.fieldSelector === undefined ? {} : { fieldSelector: q.fieldSelector }),
    ...(sendInitial === null ? {} : { sendInitialEvents: sendInitial === 'true' }),
    allowWatchBookmarks: info.query.get('allowWatchBookmarks') === 'true',
  }
  const accept = a.req.headers.accept
  const table = wantsTable(accept)
  const include = table ? includeObjectOf(info.query) : 'Object'
  const tableApi = tableVersion(accept)
  const representation = table ? `table:${tableApi}:${include}` : 'json'
  const abort = new AbortController()
  const watcher = ctx.store.watch(resource, info.namespace, info.name, { ...options, signal: abort.signal })
  const timer = ctx.clock.setTimer(timeoutSeconds * 1000, () => abort.abort())
  res.on('close', () => abort.abort())
  // No Transfer-Encoding header: HTTP/1.1 chunks a body without Content-Length by itself, and
  // HTTP/2 forbids the header (node throws ERR_HTTP2_INVALID_CONNECTION_HEADERS).
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' })
  res.flushHeaders()
  watchStreams.open += 1
  watchStreams.total += 1
  const encode = (event: ObjectWatchEvent): string => {
    const object = event.object as object
    const body =
      event.type === 'ERROR' || event.type === 'BOOKMARK' || !table
        ? encodeOnce(object, 'json', () => JSON.stringify(object))
        : encodeOnce(object, representation, () => JSON.stringify(toTable(resource, [object as KubeObject], { include, nowMs: ctx.clock.now(), apiVersion: tableApi, resourceVersion: (object as KubeObject).metadata.resourceVersion })))
    return `{"type":"${event.type}","object":${body}}\n`
  }
  try {
    for await (const event of watcher) {
      if (!write(res, encode(event))) await drained(res, abort.signal)
      watchStreams.eventsSent += 1
      if (event.type === 'ERROR' || abort.signal.aborted) break
    }
  } catch (err) {
    if (!res.writableEnded) res.write(`{"type":"ERROR","object":${JSON.stringify(statusOf(err))}}\n`)
  } finally {
    timer.cancel()
    watcher.return?.()
    watchStreams.open -= 1
    if (!res.writableEnded) res.end()
  }
}

function write(res: ApiResponse, text: string): boolean {
  if (res.writableEnded) return true
  return res.write(text)
}

/** Waits for the socket to take more, or for the stream to end: a slow reader holds only its own stream back. */
function drained(res: ApiResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      signal.removeEventListener('abort', done)
      resolve()
    }
    res.once('drain', done)
    signal.addEventListener('abort', done, { once: true })
  })
}

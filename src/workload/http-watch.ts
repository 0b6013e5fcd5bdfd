// A watch over HTTP: GET ...?watch=1 read as JSON lines ({type, object}), as client-go's
// StreamWatcher decodes them. A non-200 answer (such as 410 for a start that was compacted) comes
// out as one ERROR event carrying the server's Status, as an in-stream ERROR does; a stream that
// breaks ends the iteration (the informer watches again from its revision).
import type { ClientHttp2Stream } from 'node:http2'
import type { KubeObject } from '../codec/index.js'
import type { ObjectWatchEvent, Status } from '../objects/index.js'
import { cancelStream, type HttpTransport } from './http-transport.js'
import type { WatchStream } from './object-api.js'

const eventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'])

function toEvent(line: string): ObjectWatchEvent {
  const e = JSON.parse(line) as { type?: unknown; object?: unknown }
  if (typeof e.type !== 'string' || !eventTypes.has(e.type) || typeof e.object !== 'object' || e.object === null) {
    return errorEvent(500, 'InternalError', `workload: a watch line is not an event: ${line.slice(0, 200)}`)
  }
  if (e.type === 'ERROR') return { type: 'ERROR', object: e.object as Status }
  return { type: e.type as 'ADDED', object: e.object as KubeObject }
}

function errorEvent(code: number, reason: string, message: string): ObjectWatchEvent {
  return { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message } as unknown as Status }
}

export class HttpWatch implements WatchStream {
  // Set by cancel(): the iteration ends without an ERROR.
  private cancelled = false
  // The request, once opened by the first iteration.
  private stream: ClientHttp2Stream | undefined

  constructor(
    private readonly transport: HttpTransport,
    private readonly path: string,
  ) {}

  cancel(): void {
    this.cancelled = true
    if (this.stream !== undefined) cancelStream(this.stream)
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ObjectWatchEvent> {
    if (this.cancelled) return
    const stream = this.transport.open('GET', this.path)
    this.stream = stream
    stream.end()
    const status = new Promise<number>((resolve) => {
      stream.once('response', (h) => resolve(Number(h[':status'])))
      stream.once('close', () => resolve(0))
    })
    let buffer = ''
    let code = 0
    try {
      code = await status
      if (code === 0) return
      stream.setEncoding('utf8')
      for await (const chunk of stream) {
        buffer += chunk as string
        let nl
        while (code === 200 && (nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim()
          buffer = buffer.slice(nl + 1)
          if (line === '') continue
          const event = toEvent(line)
          yield event
          if (this.cancelled || event.type === 'ERROR') return
        }
      }
    } catch (err) {
      // A cancelled or broken stream ends the watch; the informer resumes from its revision.
      if (!(err instanceof Error)) throw err
      return
    } finally {
      cancelStream(stream)
    }
    if (code !== 200 && !this.cancelled) {
      let status: Status | undefined
      try {
        status = JSON.parse(buffer) as Status
      } catch (err) {
        // Not a Status body: the HTTP code alone says what happened.
        void err
      }
      yield status !== undefined && typeof status.code === 'number' ? { type: 'ERROR', object: status } : errorEvent(code, code === 410 ? 'Expired' : 'InternalError', `workload: watch ${this.path}: HTTP ${code}`)
    }
  }
}

// What the simulated containers "write": an in-memory ring of lines per container, readable like
// the kubelet's log endpoint (tailLines, timestamps, follow until the signal ends).
import type { Clock } from '../util/index.js'

export interface LogReadOptions {
  follow: boolean
  tailLines?: number
  timestamps: boolean
  signal: AbortSignal
}

/** The shape the API server's pods/log handler reads (its LogSource). */
export interface LogReader {
  read(namespace: string, pod: string, container: string, o: LogReadOptions, write: (text: string) => void): Promise<void>
}

interface Stream {
  lines: { at: number; text: string }[]
  followers: Set<(line: string, at: number) => void>
  closers: Set<() => void>
}

/** Lines kept per container; older ones fall off. */
export const logLinesMax = 1000

export class LogBook implements LogReader {
  private readonly streams = new Map<string, Stream>()

  constructor(private readonly clock: Clock) {}

  append(namespace: string, pod: string, container: string, text: string): void {
    const s = this.stream(namespace, pod, container)
    const at = this.clock.now()
    s.lines.push({ at, text })
    if (s.lines.length > logLinesMax) s.lines.splice(0, s.lines.length - logLinesMax)
    for (const f of s.followers) f(text, at)
  }

  /** The pod is gone: its logs go too, and followers end. */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`
    for (const [key, s] of [...this.streams]) {
      if (!key.startsWith(prefix)) continue
      this.streams.delete(key)
      for (const c of s.closers) c()
    }
  }

  has(namespace: string, pod: string, container: string): boolean {
    return this.streams.has(`${namespace}/${pod}/${container}`)
  }

  read(namespace: string, pod: string, container: string, o: LogReadOptions, write: (text: string) => void): Promise<void> {
    const s = this.stream(namespace, pod, container)
    const format = (text: string, at: number): string => `${o.timestamps ? `${new Date(at).toISOString().replace('Z', '000000Z')} ` : ''}${text}\n`
    const start = o.tailLines === undefined ? 0 : Math.max(0, s.lines.length - o.tailLines)
    for (const l of s.lines.slice(start)) write(format(l.text, l.at))
    if (!o.follow || o.signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const follower = (text: string, at: number): void => write(format(text, at))
      const done = (): void => {
        s.followers.delete(follower)
        s.closers.delete(done)
        o.signal.removeEventListener('abort', done)
        resolve()
      }
      s.followers.add(follower)
      s.closers.add(done)
      o.signal.addEventListener('abort', done, { once: true })
    })
  }

  private stream(namespace: string, pod: string, container: string): Stream {
    const key = `${namespace}/${pod}/${container}`
    let s = this.streams.get(key)
    if (s === undefined) {
      s = { lines: [], followers: new Set(), closers: new Set() }
      this.streams.set(key, s)
    }
    return s
  }
}

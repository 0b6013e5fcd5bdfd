// /healthz, /livez and /readyz with named checks, as kube-apiserver serves them: "ok" when every
// check passes, `?verbose` lists each as `[+]name ok` / `[-]name failed`, `?exclude=name` skips
// one, a failure answers 500 with the list, and /readyz/<name> runs one check alone.
import type { NonResourceHandler } from '../router.js'
import { sendRaw } from '../http/io.js'

/** A check passes when it returns; it fails by throwing (the reason goes to the log, not the client). */
export type HealthCheck = () => void | Promise<void>

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz'

interface Entry {
  name: string
  check: HealthCheck
  /** Endpoints it counts for. */
  endpoints: readonly HealthEndpoint[]
}

export class HealthChecks {
  private readonly entries: Entry[] = []

  constructor(private readonly log: (line: string) => void) {}

  /** Adds a named check; by default it counts for every endpoint (liveness checks should be cheap and local). */
  add(name: string, check: HealthCheck, endpoints: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz']): this {
    this.entries.push({ name, check, endpoints })
    return this
  }

  /** Runs the endpoint's checks, minus `exclude`; each result in order. */
  async run(endpoint: HealthEndpoint, exclude: ReadonlySet<string> = new Set()): Promise<{ name: string; ok: boolean }[]> {
    const out: { name: string; ok: boolean }[] = []
    for (const e of this.entries) {
      if (!e.endpoints.includes(endpoint) || exclude.has(e.name)) continue
      out.push({ name: e.name, ok: await this.passes(endpoint, e) })
    }
    return out
  }

  /** The router hook for the three endpoints and their per-check paths. */
  handler(): NonResourceHandler {
    return async (_req, res, info) => {
      const m = /^\/(healthz|livez|readyz)(?:\/([^/]+))?\/?$/.exec(info.path)
      if (m === null || (info.verb !== 'get' && info.verb !== 'head')) return false
      const endpoint = m[1] as HealthEndpoint
      const one = m[2]
      if (one !== undefined) {
        const e = this.entries.find((x) => x.name === one && x.endpoints.includes(endpoint))
        if (e === undefined) {
          sendRaw(res, 404, 'text/plain; charset=utf-8', `${endpoint} check ${JSON.stringify(one)} not found\n`)
          return true
        }
        const ok = await this.passes(endpoint, e)
        sendRaw(res, ok ? 200 : 500, 'text/plain; charset=utf-8', ok ? 'ok' : `internal server error: ${one} check failed\n`)
        return true
      }
      const results = await this.run(endpoint, new Set(info.query.getAll('exclude')))
      const ok = results.every((r) => r.ok)
      const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`))
      const verbose = info.query.has('verbose') || !ok
      const body = verbose ? `${lines.join('\n')}\n${endpoint} check ${ok ? 'passed' : 'failed'}\n` : 'ok'
      sendRaw(res, ok ? 200 : 500, 'text/plain; charset=utf-8', body, { 'X-Content-Type-Options': 'nosniff' })
      return true
    }
  }

  private async passes(endpoint: HealthEndpoint, e: Entry): Promise<boolean> {
    try {
      await e.check()
      return true
    } catch (err) {
      this.log(`apiserver: ${endpoint} check ${e.name} failed: ${err instanceof Error ? err.message : String(err)}`)
      return false
    }
  }
}

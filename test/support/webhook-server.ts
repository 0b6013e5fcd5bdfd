// A real admission webhook server for tests: HTTPS on 127.0.0.1 (port 0) with a certificate
// from its own CA, routing each path to a behaviour, recording every AdmissionReview it gets.
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { issue, makeCa } from '../../src/apiserver/index.js'

export type Review = { request: Record<string, unknown> & { uid: string; object: Record<string, unknown> | null } }
/** A behaviour answers a review with an AdmissionReview response, a raw string, or never ('hang'). */
export type Behaviour = (review: Review) => Record<string, unknown> | string | 'hang'

export interface WebhookServer {
  url(path: string): string
  caBundle: string
  /** Reviews received, by path. */
  seen: Map<string, Review[]>
  close(): Promise<void>
}

export function allow(review: Review, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, ...extra } }
}

export function deny(review: Review, message: string): Record<string, unknown> {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: false, status: { code: 403, message } } }
}

export function jsonPatch(review: Review, ops: unknown[]): Record<string, unknown> {
  return allow(review, { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') })
}

export async function startWebhookServer(routes: Record<string, Behaviour>): Promise<WebhookServer> {
  const now = Date.now()
  const ca = makeCa(now, 'webhook-test-ca')
  const leaf = issue(ca, now, { cn: 'webhook', hosts: ['127.0.0.1'] })
  const seen = new Map<string, Review[]>()
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (d: Buffer) => chunks.push(d))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'https://x').pathname
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review
      seen.set(path, [...(seen.get(path) ?? []), review])
      const behaviour = routes[path]
      const answer = behaviour === undefined ? 'no such route' : behaviour(review)
      if (answer === 'hang') return
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(typeof answer === 'string' ? answer : JSON.stringify(answer))
    })
  }
  const server: Server = createServer({ cert: leaf.cert, key: leaf.key }, handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: (path) => `https://127.0.0.1:${port}${path}`,
    caBundle: Buffer.from(ca.cert).toString('base64'),
    seen,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

// The request timeout for non-long-running requests (kube-apiserver's --request-timeout, 60 s, and
// the `timeout` query parameter, never above the server's): when it passes, the client gets a
// 504 Timeout Status at once and the handler's late answer is dropped.
import type { Clock } from '../../util/index.js'
import { ApiError, badRequest } from '../api-error.js'
import { sendError, type ApiResponse } from '../http/io.js'

export const requestTimeoutMsDefault = 60_000

const units: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** A Go duration ("30s", "1m30s", "250ms") in ms; throws 400 on anything else. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy
  let total = 0
  let end = 0
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0)
    end = re.lastIndex
  }
  if (text === '' || end !== text.length) throw badRequest(`invalid timeout ${JSON.stringify(text)}: want a duration such as 30s`)
  return total
}

/** The request's timeout: the server's, or the `timeout` parameter when shorter. */
export function requestTimeoutMs(query: URLSearchParams, serverMs: number): number {
  const raw = query.get('timeout')
  if (raw === null || raw === '') return serverMs
  const ms = parseDuration(raw)
  return ms > 0 && ms < serverMs ? ms : serverMs
}

export function timeoutError(): ApiError {
  return new ApiError('Timeout', 'Timeout: request did not complete within the allotted timeout', { retryAfterSeconds: 0 })
}

/**
 * Waits for `work` or the timeout, whichever is first. On timeout it aborts `abort` (a queued
 * request leaves its queue), answers 504 if nothing was sent yet, and returns the code sent; the
 * work goes on in the background and finds the response ended.
 */
export async function withTimeout(clock: Clock, timeoutMs: number, res: ApiResponse, abort: AbortController, work: Promise<void>): Promise<'done' | 'timeout'> {
  let timer: { cancel(): void } | undefined
  const expired = new Promise<'timeout'>((resolve) => {
    timer = clock.setTimer(timeoutMs, () => resolve('timeout'))
  })
  const outcome = await Promise.race([work.then(() => 'done' as const), expired])
  timer?.cancel()
  if (outcome === 'timeout') {
    abort.abort()
    if (!res.headersSent) sendError(res, timeoutError())
  }
  return outcome
}

// One priority level's seats and its queue, fair between flows (users): a request takes a seat
// when one is free, otherwise waits in its flow's FIFO; a freed seat goes to the next flow in
// round-robin order, so one user hammering the server waits behind its own requests, not in front
// of everyone else's (API Priority and Fairness' fair queuing, without shuffle sharding: every
// flow has its own queue).
import { ApiError } from '../api-error.js'

export interface FairQueueOptions {
  /** Requests executing at once. */
  seatsMax: number
  /** Requests waiting at once across all flows; one more is refused with 429. */
  queuedMax: number
  /** Requests one flow may have waiting. */
  queuedPerFlowMax: number
}

interface Waiter {
  grant(): void
}

export class FairQueue {
  /** Seats taken; never above seatsMax. */
  private seatsUsed = 0
  /** Waiting requests by flow; a flow with no waiter has no entry. Map order is the round robin. */
  private readonly flows = new Map<string, Waiter[]>()
  /** Sum of every flow's waiters. */
  private queued = 0
  /** Requests refused because the queue was full, or gave up while waiting. */
  rejected = 0

  constructor(
    readonly name: string,
    private readonly o: FairQueueOptions,
  ) {}

  get executing(): number {
    return this.seatsUsed
  }

  get waiting(): number {
    return this.queued
  }

  /** Resolves with a release function once a seat is the request's; throws 429 when the queue is full or `signal` fires first. */
  async acquire(flow: string, signal?: AbortSignal): Promise<() => void> {
    if (this.seatsUsed < this.o.seatsMax && this.queued === 0) {
      this.seatsUsed += 1
      return this.releaser()
    }
    const mine = this.flows.get(flow) ?? []
    if (this.queued >= this.o.queuedMax || mine.length >= this.o.queuedPerFlowMax) {
      this.rejected += 1
      throw tooManyRequests(this.name)
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve(this.releaser())
        },
      }
      const onAbort = (): void => {
        if (!this.remove(flow, waiter)) return
        this.rejected += 1
        reject(tooManyRequests(this.name))
      }
      mine.push(waiter)
      this.flows.set(flow, mine)
      this.queued += 1
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      this.seatsUsed -= 1
      this.dispatch()
    }
  }

  /** Hands free seats to the head of each flow in turn. */
  private dispatch(): void {
    while (this.seatsUsed < this.o.seatsMax && this.queued > 0) {
      const first = this.flows.entries().next()
      if (first.done === true) return
      const [flow, waiters] = first.value
      const w = waiters.shift()
      // Round robin: the flow goes to the back of the line (or leaves it when empty).
      this.flows.delete(flow)
      if (waiters.length > 0) this.flows.set(flow, waiters)
      if (w === undefined) continue
      this.queued -= 1
      this.seatsUsed += 1
      w.grant()
    }
  }

  private remove(flow: string, waiter: Waiter): boolean {
    const waiters = this.flows.get(flow)
    const i = waiters?.indexOf(waiter) ?? -1
    if (waiters === undefined || i < 0) return false
    waiters.splice(i, 1)
    if (waiters.length === 0) this.flows.delete(flow)
    this.queued -= 1
    return true
  }
}

/** kube-apiserver's answer when a priority level's queues are full. */
export function tooManyRequests(level: string): ApiError {
  return new ApiError('TooManyRequests', `Too many requests, please try again later. (priority level ${level})`, { retryAfterSeconds: 1 }, { headers: { 'Retry-After': '1' } })
}

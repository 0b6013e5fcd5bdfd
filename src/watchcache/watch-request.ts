// A watch request, checked and normalised before the cache opens a watcher for it.
import { InvalidArgumentError, describeValue } from '../util/index.js'
import { keyRangeOf } from './key-range.js'
import type { WatchRequest } from './types.js'

export function readRequest(r: WatchRequest): { range: ReturnType<typeof keyRangeOf>; noPut: boolean; noDelete: boolean; prevKv: boolean; progressNotify: boolean; startRevision: number } {
  if (typeof r !== 'object' || r === null) throw new InvalidArgumentError('watch: request must be an object')
  if (r.signal !== undefined && !(r.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(`watch: signal must be an AbortSignal, got ${describeValue(r.signal)}`)
  }
  const start = r.startRevision ?? 0
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidArgumentError(`watch: startRevision must be a non-negative integer, got ${describeValue(start)}`)
  }
  const filters = r.filters ?? []
  if (!Array.isArray(filters)) throw new InvalidArgumentError('watch: filters must be an array')
  for (const f of filters) {
    if (f !== 'NOPUT' && f !== 'NODELETE') throw new InvalidArgumentError(`watch: unknown filter ${describeValue(f)}`)
  }
  for (const name of ['prevKv', 'progressNotify'] as const) {
    if (r[name] !== undefined && typeof r[name] !== 'boolean') throw new InvalidArgumentError(`watch: ${name} must be a boolean`)
  }
  return {
    range: keyRangeOf(r),
    noPut: filters.includes('NOPUT'),
    noDelete: filters.includes('NODELETE'),
    prevKv: r.prevKv === true,
    progressNotify: r.progressNotify === true,
    startRevision: start,
  }
}

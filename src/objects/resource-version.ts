// resourceVersion strings <-> revisions, and which revision a list reads at
// (Kubernetes ParseResourceVersion and ValidateListOptions, ../shared/reference/kubernetes-storage.md 1.5).
import { InvalidArgumentError, BadRequestError, describeValue } from '../util/index.js'
import type { ListOptions } from './types.js'

/** "" and "0" are 0 (no particular revision); anything else must be a positive decimal integer. */
export function parseResourceVersion(rv: string | undefined, what = 'resourceVersion'): number {
  if (rv === undefined || rv === '' || rv === '0') return 0
  if (typeof rv !== 'string' || !/^[1-9][0-9]{0,15}$/.test(rv) || !Number.isSafeInteger(Number(rv))) {
    throw new InvalidArgumentError(`objects: invalid ${what}: ${describeValue(rv)}`)
  }
  return Number(rv)
}

/** How a list (or its first page) reads. */
export interface ListRead {
  /** Read at exactly this revision; 0: at the latest. */
  exact: number
  /** With exact 0: the latest revision must be at least this (else 504 too large). */
  notOlderThan: number
}

/**
 * The Kubernetes table: RV "" or "0" read the latest; RV N with resourceVersionMatch Exact, or the
 * legacy form RV N with a limit and no match, read at N; RV N otherwise reads the latest, which must
 * not be older than N. A continue token fixes the revision itself, so RV must then be "" or "0".
 */
export function planListRead(options: ListOptions): ListRead {
  const match = options.resourceVersionMatch
  const rv = parseResourceVersion(options.resourceVersion)
  const rvGiven = options.resourceVersion !== undefined && options.resourceVersion !== ''
  if (match !== undefined && match !== 'Exact' && match !== 'NotOlderThan') {
    throw new InvalidArgumentError(`objects: unknown resourceVersionMatch ${JSON.stringify(match)}`)
  }
  if (match !== undefined && !rvGiven) throw new InvalidArgumentError('objects: resourceVersionMatch is forbidden unless resourceVersion is provided')
  if (options.continue !== undefined && options.continue !== '') {
    if (rv !== 0) throw new BadRequestError('objects: specifying resourceVersion is not allowed when using continue')
    if (match !== undefined) throw new InvalidArgumentError('objects: resourceVersionMatch is forbidden when continue is provided')
  }
  if (match === 'Exact' && rv === 0) throw new InvalidArgumentError('objects: resourceVersionMatch Exact is forbidden for resourceVersion "0"')
  const limited = (options.limit ?? 0) > 0
  if (rv !== 0 && (match === 'Exact' || (match === undefined && limited))) return { exact: rv, notOlderThan: 0 }
  return { exact: 0, notOlderThan: rv }
}

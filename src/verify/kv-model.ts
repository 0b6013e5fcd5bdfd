// The sequential specification: a deterministic etcd KV store restricted to single-key puts,
// gets, deletes and txns with compares (etcd-semantics.md §1, §3, §4). step() says whether an
// operation can take effect in a state with the response it got, and what the state becomes.
import type { Compare, KvView, Operation, Request, Response, SimpleRequest, SimpleResult } from './history.js'
import type { RevisionSpace } from './revisions.js'
import type { Model } from './search.js'

/**
 * One live key. Revisions > 0 are known. A negative revision -(i+1) stands for the revision of
 * the unknown (failed or timed-out) operation i, which only 'partition' mode leaves open: the
 * first read that sees it binds it to the revision it reports.
 */
export interface KeyState {
  readonly value: string
  readonly version: number
  readonly create: number
  readonly mod: number
}

export interface KvState {
  /** exact: the store's revision. partition: a lower bound of the global revision here; the next write of the partition needs a larger one. */
  readonly floor: number
  /** partition: a lower bound of the revision of the partition's last write; no read header may be below it. exact: equals floor. */
  readonly last: number
  /** Live keys only: a missing key was never created or is deleted. */
  readonly keys: ReadonlyMap<string, KeyState>
}

/**
 * exact: the state holds the global revision, every write must take the next one (the whole
 * history is one partition). partition: the state sees only some keys, so it only knows that
 * revisions grow: a write's revision exceeds every revision seen before it in the partition.
 */
export type RevisionMode = 'exact' | 'partition'

type Keys = Map<string, KeyState>
type Bindings = Map<number, number>

/** Runs single-key ops in order on `keys` (reads see earlier writes of the same txn, T4). */
function run(keys: Keys, ops: readonly SimpleRequest[], revision: number): { results: Array<KeyState | number | null>; wrote: boolean } {
  const results: Array<KeyState | number | null> = []
  let wrote = false
  for (const op of ops) {
    const prev = keys.get(op.key)
    if (op.type === 'put') {
      keys.set(op.key, { value: op.value, version: (prev?.version ?? 0) + 1, create: prev?.create ?? revision, mod: revision })
      results.push(null)
      wrote = true
    } else if (op.type === 'get') {
      results.push(prev ?? null)
    } else {
      keys.delete(op.key)
      results.push(prev === undefined ? 0 : 1)
      wrote ||= prev !== undefined
    }
  }
  return { results, wrote }
}

function compareValue(actual: string, expected: string): number {
  return Buffer.compare(Buffer.from(actual), Buffer.from(expected))
}

/** true / false, or undefined when it depends on a revision not known yet. */
export function evalCompares(keys: ReadonlyMap<string, KeyState>, compares: readonly Compare[]): boolean | undefined {
  let open = false
  for (const c of compares) {
    const ks = keys.get(c.key)
    let order: number
    if (c.target === 'VALUE') {
      // A VALUE compare on a missing key is false whatever the result (T2).
      if (ks === undefined || typeof c.value !== 'string') return false
      order = compareValue(ks.value, c.value)
    } else {
      const actual = ks === undefined ? 0 : c.target === 'VERSION' ? ks.version : c.target === 'CREATE' ? ks.create : ks.mod
      if (typeof c.value !== 'number') return false
      if (actual < 0) {
        open = true
        continue
      }
      order = Math.sign(actual - c.value)
    }
    const holds = c.result === 'EQUAL' ? order === 0 : c.result === 'NOT_EQUAL' ? order !== 0 : c.result === 'GREATER' ? order > 0 : order < 0
    if (!holds) return false
  }
  return open ? undefined : true
}

export class KvModel implements Model<KvState> {
  readonly init: KvState

  /**
   * @param keyOrder every key of the partition, so state keys are canonical
   * @param revisions the revisions of the whole history's acknowledged writes: an unknown write
   *   can only have taken one of the others
   * @param ownWrites sorted revisions of the partition's acknowledged writes ('partition' mode):
   *   they take effect in this order, and a read comes after every one up to its header
   */
  constructor(
    private readonly mode: RevisionMode,
    initialRevision: number,
    private readonly keyOrder: readonly string[],
    private readonly revisions: RevisionSpace,
    private readonly ownWrites: readonly number[] = [],
  ) {
    this.init = { floor: initialRevision, last: initialRevision, keys: new Map() }
  }

  step(state: KvState, op: Operation, index: number): KvState[] {
    if (op.outcome.status === 'ok') {
      const next = this.stepOk(state, op.request, op.outcome.response)
      return next === undefined ? [] : [next]
    }
    return this.stepUnknown(state, op.request, index)
  }

  private stepOk(state: KvState, request: Request, response: Response): KvState | undefined {
    let ops: readonly SimpleRequest[]
    let observed: SimpleResult[]
    if (request.type === 'txn') {
      if (response.type !== 'txn') return undefined
      const holds = evalCompares(state.keys, request.compare)
      if (holds !== undefined && holds !== response.succeeded) return undefined
      ops = response.succeeded ? request.success : request.failure
      observed = response.results
    } else {
      ops = [request]
      observed = [
        response.type === 'get' ? { type: 'get', kv: response.kv } : response.type === 'delete' ? { type: 'delete', deleted: response.deleted } : { type: 'put' },
      ]
    }
    const keys: Keys = new Map(state.keys)
    const revision = response.revision
    const { results, wrote } = run(keys, ops, revision)
    const bounds = this.advance(state, revision, wrote)
    if (bounds === undefined) return undefined
    const bindings: Bindings = new Map()
    for (const [i, r] of results.entries()) {
      const o = observed[i]
      if (o === undefined || !this.matches(r, o, revision, bindings)) return undefined
    }
    return { ...bounds, keys: bindings.size === 0 ? keys : bind(keys, bindings) }
  }

  /** The revision bounds after an acknowledged op with header `revision`, or undefined if impossible. */
  private advance(state: KvState, revision: number, wrote: boolean): { floor: number; last: number } | undefined {
    if (this.mode === 'exact') {
      const expected = wrote ? state.floor + 1 : state.floor
      return revision === expected ? { floor: revision, last: revision } : undefined
    }
    // The partition's next acknowledged write: none of its writes may be skipped.
    const due = this.nextOwnWrite(state.last)
    if (wrote) return revision > state.floor && revision === due ? { floor: revision, last: revision } : undefined
    return revision >= state.last && revision < due ? { floor: Math.max(state.floor, revision), last: state.last } : undefined
  }

  /** The lowest revision of an acknowledged write of this partition above `after`, or Infinity. */
  private nextOwnWrite(after: number): number {
    let lo = 0
    let hi = this.ownWrites.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.ownWrites[mid] ?? Infinity) > after) hi = mid
      else lo = mid + 1
    }
    return this.ownWrites[lo] ?? Infinity
  }

  /** Does the model's result of one op agree with what the client was told? */
  private matches(model: KeyState | number | null, seen: SimpleResult, header: number, bindings: Bindings): boolean {
    if (seen.type === 'put') return model === null
    if (seen.type === 'delete') return model === seen.deleted
    if (typeof model === 'number') return false
    return this.matchesKv(model, seen.kv, header, bindings)
  }

  private matchesKv(model: KeyState | null, seen: KvView | null, header: number, bindings: Bindings): boolean {
    if (model === null || seen === null) return model === seen
    if (model.value !== seen.value || model.version !== seen.version) return false
    return this.matchesRevision(model.mod, seen.modRevision, header, bindings) && this.matchesRevision(model.create, seen.createRevision, header, bindings)
  }

  private matchesRevision(model: number, seen: number, header: number, bindings: Bindings): boolean {
    if (model > 0) return model === seen
    // An unknown write's revision: not one an acknowledged write got, not above the header.
    if (this.revisions.acked.has(seen) || seen > header || seen < 1) return false
    const bound = bindings.get(model)
    if (bound !== undefined) return bound === seen
    bindings.set(model, seen)
    return true
  }

  /** An unknown operation that takes effect: any branch its compares allow, any response. */
  private stepUnknown(state: KvState, request: Request, index: number): KvState[] {
    let branches: Array<readonly SimpleRequest[]> = [[]]
    if (request.type === 'txn') {
      const holds = evalCompares(state.keys, request.compare)
      branches = holds === undefined ? [request.success, request.failure] : [holds ? request.success : request.failure]
    } else {
      branches = [[request]]
    }
    const next: KvState[] = []
    // The lowest revision it could have: in exact mode it must be the next one. Above the top
    // revision no acknowledged op can see it, which is the same as never taking effect.
    const gap = this.revisions.nextGap(state.floor)
    if (gap > this.revisions.top || (this.mode === 'exact' && gap !== state.floor + 1)) return next
    const revision = this.mode === 'exact' ? gap : -(index + 1)
    for (const ops of branches) {
      const keys: Keys = new Map(state.keys)
      // Taking effect without writing is the same as not taking effect, which the search
      // already covers by leaving the op out.
      if (!run(keys, ops, revision).wrote) continue
      next.push({ floor: gap, last: gap, keys })
    }
    return next
  }

  key(state: KvState): string {
    let s = `${state.floor},${state.last}`
    for (const k of this.keyOrder) {
      const ks = state.keys.get(k)
      s += ks === undefined ? '|-' : `|${JSON.stringify(ks.value)},${ks.version},${ks.create},${ks.mod}`
    }
    return s
  }

  describe(state: KvState): string {
    const rev = (r: number): string => (r > 0 ? String(r) : `?(op ${-r - 1})`)
    const lines = [this.mode === 'exact' ? `revision ${state.floor}` : `revision ≥ ${state.floor}, last write here ≥ ${state.last}`]
    for (const k of this.keyOrder) {
      const ks = state.keys.get(k)
      lines.push(ks === undefined ? `${k}: absent` : `${k} = ${ks.value} (mod ${rev(ks.mod)}, create ${rev(ks.create)}, ver ${ks.version})`)
    }
    return lines.join('\n')
  }
}

function bind(keys: Keys, bindings: Bindings): Keys {
  const out: Keys = new Map()
  for (const [k, ks] of keys) {
    out.set(k, { ...ks, mod: bindings.get(ks.mod) ?? ks.mod, create: bindings.get(ks.create) ?? ks.create })
  }
  return out
}

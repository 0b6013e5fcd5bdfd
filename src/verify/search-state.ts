// The two data structures of the linearization search (search.ts), kept apart so the search
// itself reads as the algorithm: the list of events still to place, and the set of placed ops
// with the cache of (placed set, model states) pairs already explored.
import type { Operation } from './history.js'

/** Events of acknowledged ops sorted by time; at equal times calls first, so equal stamps overlap. */
function eventOrder(ops: readonly Operation[]): number[] {
  const time = (e: number): number => {
    const op = ops[e >> 1]
    return op === undefined ? Infinity : e & 1 ? op.return : op.call
  }
  const events = ops.flatMap((op, i) => (op.outcome.status === 'ok' ? [2 * i, 2 * i + 1] : []))
  return events.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b)
}

/**
 * A doubly linked list over the call and return events of acknowledged ops (event 2i: call of op
 * i, 2i + 1: its return), in time order. Placing an op unlinks both of its events; undoing the
 * placement links them back where they were (Lowe's list).
 */
export class EventList {
  readonly head: number
  private readonly next: Int32Array
  private readonly prev: Int32Array

  constructor(ops: readonly Operation[]) {
    const n = ops.length
    this.head = 2 * n
    this.next = new Int32Array(2 * n + 1).fill(-1)
    this.prev = new Int32Array(2 * n + 1).fill(-1)
    let tail = this.head
    for (const e of eventOrder(ops)) {
      this.next[tail] = e
      this.prev[e] = tail
      tail = e
    }
  }

  /** The event after `e` (after head: the first), or -1 at the end. */
  after(e: number): number {
    return this.next[e] ?? -1
  }

  /** Takes op i's call and return out of the list. */
  remove(i: number): void {
    this.unlink(2 * i)
    this.unlink(2 * i + 1)
  }

  /** Puts op i's events back; only valid in the reverse order of remove() calls. */
  restore(i: number): void {
    this.relink(2 * i + 1)
    this.relink(2 * i)
  }

  private unlink(e: number): void {
    const p = this.prev[e] ?? -1
    const q = this.next[e] ?? -1
    this.next[p] = q
    if (q !== -1) this.prev[q] = p
  }

  private relink(e: number): void {
    const p = this.prev[e] ?? -1
    const q = this.next[e] ?? -1
    this.next[p] = e
    if (q !== -1) this.prev[q] = e
  }
}

// A fixed seed: cache keys, hence step counts, are reproducible.
function zobrist(count: number): Uint32Array {
  let a = 0x9e3779b9
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = (t ^ (t >>> 14)) >>> 0
  }
  return out
}

/**
 * The set of ops placed so far, as a bitset with an incremental 64-bit Zobrist hash, and the
 * memo of (placed set, model states) pairs already explored: a pair is explored once.
 */
export class PlacedSet {
  private readonly bits: Uint32Array
  private readonly hashes: Uint32Array
  private h1 = 0
  private h2 = 0
  // Hash of the placed set and the state key -> the placed sets seen with them.
  private readonly seen = new Map<string, Uint32Array[]>()

  constructor(count: number) {
    this.bits = new Uint32Array(Math.ceil(count / 32))
    this.hashes = zobrist(2 * count)
  }

  has(i: number): boolean {
    return ((this.bits[i >> 5] ?? 0) & (1 << (i & 31))) !== 0
  }

  /** Adds op i if absent, removes it if present. */
  flip(i: number): void {
    this.bits[i >> 5] = (this.bits[i >> 5] ?? 0) ^ (1 << (i & 31))
    this.h1 = (this.h1 ^ (this.hashes[2 * i] ?? 0)) >>> 0
    this.h2 = (this.h2 ^ (this.hashes[2 * i + 1] ?? 0)) >>> 0
  }

  /** Records the current set with `stateKey`; false if that pair was explored before. */
  remember(stateKey: string): boolean {
    const k = `${this.h1}:${this.h2}|${stateKey}`
    const sets = this.seen.get(k)
    if (sets === undefined) {
      this.seen.set(k, [this.bits.slice()])
      return true
    }
    if (sets.some((s) => s.every((w, j) => w === this.bits[j]))) return false
    sets.push(this.bits.slice())
    return true
  }
}

// The watch model shared by test/watchcache/model.test.ts (writes in this process) and
// model-cross-process.test.ts (writes by a child process on the same file): random write commands
// (puts, deletes, txns, compactions, leases, clock ticks) interleaved with watchers opened at
// random revisions, ranges, filters and prevKv, some read after every step and some never until
// the end. Each watcher's stream must be exactly its slice of the event history, or a prefix of it
// that ends at a revision edge with the documented overflow / compacted response (W3, W5-W10).
// The history is read with store.readEvents after every write, before compaction can remove it.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cancelReasons, type FakeClock, type KeyValue, type KvEvent, type Store, type WatchFilter, type WatchResponse } from '../../src/index.js'
import { keys } from './model-arbitraries.js'
import { Reader } from './watch-reader.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const allKeys = [...keys, Buffer.alloc(0)]
const keyArb = fc.constantFrom(...keys)

type End = { rangeEnd?: Buffer; prefix?: boolean }
const endArb: fc.Arbitrary<End> = fc.oneof(
  fc.constant({}),
  fc.constant({ prefix: true }),
  keyArb.map((k) => ({ rangeEnd: k })),
  fc.constant({ rangeEnd: Buffer.from([0]) }),
)
export const commandArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key: keyArb, value: fc.nat(9), lease: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('del' as const), key: keyArb, end: endArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('txn' as const), keys: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 6, selector: hex }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lease' as const), ttl: fc.integer({ min: 2, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 500, max: 3000 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('watch' as const),
      key: fc.constantFrom(...allKeys),
      end: endArb,
      start: fc.oneof(fc.constant(undefined), fc.integer({ min: -8, max: 2 })),
      filters: fc.subarray(['NOPUT', 'NODELETE'] as WatchFilter[]),
      prevKv: fc.boolean(),
      slow: fc.boolean(),
    }),
  },
)
export type Command = typeof commandArb extends fc.Arbitrary<infer C> ? C : never
export type WatchCommand = Extract<Command, { kind: 'watch' }>
/** Every command but opening a watcher: what a writer (here or in another process) performs. */
export type WriteCommand = Exclude<Command, { kind: 'watch' }>

export interface Opened {
  cmd: WatchCommand
  reader: Reader
  start: number
  compactAtOpen: number
}

/** RG1/W2 on hex strings: the keys a watch request covers. */
/** An explicit rangeEnd (not "\0") at or before the start key ("" being "\x00"). */
export function emptyRange(cmd: WatchCommand): boolean {
  const end = cmd.end.rangeEnd
  if (end === undefined || end.length === 0 || (end.length === 1 && end[0] === 0)) return false
  const start = cmd.key.length === 0 ? Buffer.from([0]) : Buffer.from(cmd.key)
  return Buffer.compare(start, Buffer.from(end)) >= 0
}

export function inRange(cmd: WatchCommand, key: Uint8Array): boolean {
  const k = hex(key)
  const start = cmd.key.length === 0 ? '00' : hex(cmd.key)
  let end: string | null | undefined
  if (cmd.end.prefix === true) {
    const b = Buffer.from(cmd.key)
    let i = b.length - 1
    while (i >= 0 && b[i] === 0xff) i--
    if (i < 0) end = null
    else {
      const e = Buffer.from(b.subarray(0, i + 1))
      e[i] = (e[i] ?? 0) + 1
      end = e.toString('hex')
    }
  } else if (cmd.end.rangeEnd !== undefined && cmd.end.rangeEnd.length > 0) end = hex(cmd.end.rangeEnd) === '00' ? null : hex(cmd.end.rangeEnd)
  if (end === undefined) return k === start
  return k >= start && (end === null || k < end)
}

/**
 * Reads until the watcher reports `revision`. A quiet watcher answers a progress request; asked
 * again while the cache is still reading the last commit (prevKv store reads are async).
 */
export async function drain(store: Store, o: Opened, revision: number): Promise<void> {
  // #20221: a watch whose start is still ahead says nothing, not even progress; but a watch on an
  // empty range is refused at once whatever its start, and that answer is read here.
  if (o.start - 1 > revision && !emptyRange(o.cmd)) return
  for (let quiet = 0; ; ) {
    const last = o.reader.responses[o.reader.responses.length - 1]
    if (last !== undefined && (last.canceled === true || last.revision >= revision)) return
    if ((await o.reader.poll()) !== undefined) continue
    assert.ok(++quiet < 100, `a watcher stays silent below revision ${revision}`)
    store.requestProgress()
  }
}

export function check(o: Opened, history: readonly KvEvent[], finalCompact: number): void {
  const rs: WatchResponse[] = o.reader.responses
  const label = JSON.stringify({ ...o.cmd, key: hex(o.cmd.key), start: o.start })
  if (emptyRange(o.cmd)) {
    // etcd refuses a range no key can be in: one canceled response, nothing else (W2).
    assert.equal(rs.length, 1, label)
    assert.equal(rs[0]?.canceled, true, label)
    assert.equal(rs[0]?.cancelReason, cancelReasons.emptyRange, label)
    return
  }
  if (o.start < o.compactAtOpen) {
    assert.equal(rs.length, 1, label)
    assert.equal(rs[0]?.canceled, true, label)
    assert.equal(rs[0]?.compactRevision, o.compactAtOpen, label)
    return
  }
  const expected = history.filter(
    (e) => e.kv.modRevision >= o.start && inRange(o.cmd, e.kv.key) && !o.cmd.filters.includes(e.type === 'PUT' ? 'NOPUT' : 'NODELETE'),
  )
  const got = rs.flatMap((r) => r.events)
  const seenRevs = new Set<number>()
  let lastRevision = 0
  let delivered = 0
  for (const r of rs) {
    const revs = [...new Set(r.events.map((e) => e.kv.modRevision))]
    for (const rev of revs) assert.ok(!seenRevs.has(rev), `${label}: revision ${rev} split or repeated (W7)`)
    revs.forEach((rev) => seenRevs.add(rev))
    delivered += r.events.length
    if (r.canceled === true) continue
    assert.ok(r.revision >= lastRevision, `${label}: response revisions never go back`)
    lastRevision = r.revision
    const owed = expected.filter((e) => e.kv.modRevision <= r.revision).length
    assert.ok(delivered >= owed, `${label}: response at ${r.revision} promised events not yet delivered (W11)`)
  }
  const end = rs[rs.length - 1]
  if (end?.canceled === true) {
    assert.ok(end.cancelReason?.startsWith(cancelReasons.overflow) === true || end.compactRevision !== undefined, `${label}: ${end.cancelReason}`)
    assert.equal(rs.filter((r) => r.canceled === true).length, 1)
    const next = expected[got.length]
    const lastGot = got[got.length - 1]
    if (next !== undefined && lastGot !== undefined) assert.notEqual(next.kv.modRevision, lastGot.kv.modRevision, `${label}: ended inside a revision`)
  } else assert.equal(got.length, expected.length, `${label}: every event delivered`)
  assert.ok(got.length <= expected.length, label)
  got.forEach((g, i) => {
    const e = expected[i] as KvEvent
    assert.deepEqual({ type: g.type, kv: g.kv }, { type: e.type, kv: e.kv }, `${label}: event ${i}`)
    if (!o.cmd.prevKv || (g.type === 'PUT' && g.kv.version === 1)) {
      assert.equal(g.prevKv, undefined, `${label}: prevKv only when asked, never on a create`)
      return
    }
    const before = history.slice(0, history.indexOf(e)).reverse().find((h) => hex(h.kv.key) === hex(e.kv.key))
    const want: KeyValue | undefined = before?.type === 'PUT' ? before.kv : undefined
    if (g.prevKv === undefined) assert.ok(e.kv.modRevision - 1 < finalCompact, `${label}: prevKv missing though not compacted (W9)`)
    else assert.deepEqual(g.prevKv, want, `${label}: prevKv (W9)`)
  })
}

/** Performs the model's write commands: on the watched store itself, or in another process. */
export interface ModelWriter {
  /** Resolves once the command's writes (if any) are committed. */
  write(c: WriteCommand): Promise<void>
  /** Resolves once every pending write (a lease expiry after a tick) is committed. */
  flush(): Promise<void>
}

/**
 * Performs write commands on `store`, whose clock is `clock` (the same code runs in the child).
 * physical: a compaction returns only once the compacted rows are gone from the file.
 */
export function localWriter(store: Store, clock: FakeClock, physical = false): ModelWriter {
  return {
    async write(c) {
      if (c.kind === 'put') {
        const lease = c.lease ? (await store.leases())[0]?.id ?? 0 : 0
        await store.put(c.key, `${c.value}`, { lease })
      } else if (c.kind === 'del') await store.deleteRange({ key: c.key, ...c.end })
      else if (c.kind === 'txn') await store.txn({ success: c.keys.map((key) => ({ put: { key, value: 't' } })) })
      else if (c.kind === 'compact') {
        const target = store.revision - c.back
        if (target > store.compactRevision) await store.compact(target, { physical })
      } else if (c.kind === 'lease') {
        const { id } = await store.leaseGrant(c.ttl)
        await store.put(Buffer.from([0x61, c.ttl]), 'leased', { lease: id })
      } else {
        clock.advance(c.ms)
        await store.flush()
      }
    },
    flush: () => store.flush(),
  }
}

/**
 * Runs `commands`: writes through `writer`, watchers opened on `store`. After every step the
 * history is recorded and the fast watchers are read up to the store's revision (reading
 * store.revision also makes the store notice another process's commits). After a step i with
 * lagging[i] the watchers are not read, so another process's writes (and compactions) can run
 * ahead of what this store's cache has read.
 */
export async function runModel(store: Store, writer: ModelWriter, commands: readonly Command[], lagging: readonly boolean[] = []): Promise<void> {
  const history: KvEvent[] = []
  let position = 0
  const record = (): void => {
    for (;;) {
      const b = store.readEvents(position, 100)
      history.push(...b.events)
      position = b.position
      if (b.events.length === 0) return
    }
  }
  const opened: Opened[] = []
  for (const [i, c] of commands.entries()) {
    if (c.kind === 'watch') {
      const start = c.start === undefined ? 0 : Math.max(1, store.revision + c.start)
      const compactAtOpen = store.compactRevision
      const w = store.watch({ key: c.key, ...c.end, startRevision: start, filters: c.filters, prevKv: c.prevKv })
      opened.push({ cmd: c, reader: new Reader(w), start: w.startRevision, compactAtOpen })
    } else await writer.write(c)
    record()
    if (lagging[i] === true) continue
    for (const o of opened) if (!o.cmd.slow) await drain(store, o, store.revision)
  }
  await writer.flush()
  record()
  for (const o of opened) await drain(store, o, store.revision)
  for (const o of opened) check(o, history, store.compactRevision)
}

/** Limits that make overflow and ring eviction common in short runs. */
export const modelLimits = Object.freeze({ watchBufferEventsMax: 4, watchCacheEventsMax: 8, watchResponseEventsMax: 3 })

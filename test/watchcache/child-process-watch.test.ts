// Cross-process watch (issue 4, Verification: "a second process writes"): the parent opens a
// store on a file and several watchers; child processes open the same file and write a seeded
// random sequence of puts, deletes and multi-key txns, one of them compacting once on the way.
// The parent's store learns of their commits only through its poll (remotePollMs 5, real clock).
// Checks:
// - the history seen by a watcher from revision 1 equals, revision by revision, what the
//   children (and the parent) acknowledged: every revision present, whole, once, in op order;
// - every other watcher's stream is exactly its slice of that history (W7: ordered, unique,
//   reliable, atomic), with the right prevKv (W9) and filters (W10);
// - a watcher left unread while the compaction passes its position ends with the documented
//   compacted response (W6); one opened below the compaction too (W5); one at it is served (W5).
// ETCHLOG_XPROC_WATCH_OPS: writes per child (default 120); ETCHLOG_XPROC_WATCH_SEED replays a run.
//
// The compacting child asks the parent for the revision to compact at; the parent answers only
// once its watchers have reached the child's head, with a revision at most 3 below it.
// (A compaction by another process past the cache's read position ends the cache's watchers as
// compacted, W6; that case is pinned by test/watchcache/remote-compaction.test.ts. This test
// keeps every watcher's stream whole, so it compacts only where the watchers already are.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { cancelReasons, openStore, type KeyValue, type KvEvent, type Store, type Watcher, type WatchRequest, type WatchResponse } from '../../src/index.js'
import { Child, killChildren } from '../support/child-process.js'
import type { WriterAck, WriterReply, WriterRequest } from '../support/watch-writer-child.js'
import { tempDir } from '../support/temp-store.js'

const WRITER = new URL('../support/watch-writer-child.ts', import.meta.url)
const OPS = Number(process.env['ETCHLOG_XPROC_WATCH_OPS'] ?? 120)
const SEED = Number(process.env['ETCHLOG_XPROC_WATCH_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const CHILDREN = 2
// Only a hang reaches these.
const CHILD_DEADLINE_MS = 60_000
const WAIT_DEADLINE_MS = 30_000
const KEYS = [...Array.from({ length: 12 }, (_, i) => `k/${i}`), 'z/0', 'z/1', 'k0']

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')
const showEvent = (e: { type: string; kv: KeyValue }): string => (e.type === 'PUT' ? `PUT ${text(e.kv.key)}=${text(e.kv.value)}` : `DELETE ${text(e.kv.key)}`)

type Ev = Pick<KvEvent, 'type' | 'kv'>

interface Spec {
  name: string
  request: WatchRequest
  /** Keys (of KEYS) the watch covers. */
  covers(key: string): boolean
  /** Not read until the end. */
  slow?: boolean
}

/** Reads a watcher in the background, keeping every response; wakes waiters on each one. */
class Pump {
  readonly responses: WatchResponse[] = []
  done = false
  error: unknown
  constructor(
    readonly spec: Spec,
    readonly watcher: Watcher,
    private readonly wake: () => void,
  ) {}

  start(): this {
    void (async () => {
      try {
        for (;;) {
          const r = await this.watcher.next()
          if (r.done === true) break
          this.responses.push(r.value)
          this.wake()
        }
      } catch (err) {
        this.error = err
      }
      this.done = true
      this.wake()
    })()
    return this
  }

  /** The revision it has promised (every event at or below it delivered), or Infinity once ended. */
  reached(): number {
    if (this.error !== undefined) throw new Error(`${this.spec.name}: ${String(this.error)}`)
    const last = this.responses[this.responses.length - 1]
    if (this.done || last?.canceled === true) return Infinity
    return last?.revision ?? 0
  }
}

test('watchers see another process\'s writes exactly once, in order, whole, with prevKv, or a compacted ending', async (t) => {
  const started = Date.now()
  console.log(`child-process-watch: seed ${SEED} (ETCHLOG_XPROC_WATCH_SEED=${SEED}), ${OPS} writes per child`)
  t.diagnostic(`seed ${SEED}`)
  const dir = tempDir('etchlog-xproc-watch-')
  const path = join(dir.path, 'etchlog.db')
  // A small ring: a watcher from the past reads the log, then the ring, then goes live.
  const store: Store = await openStore({ path, durability: 'relaxed', remotePollMs: 5, limits: { watchCacheEventsMax: 16, watchResponseEventsMax: 7 } })
  let closed = false
  t.after(async () => {
    await killChildren()
    if (!closed) await store.close()
    dir.remove()
  })

  const wakers = new Set<() => void>()
  const wake = (): void => {
    for (const w of [...wakers]) w()
  }
  /** Resolves once cond() holds; asks for progress meanwhile (quiet watchers); fails at the deadline. */
  const waitUntil = (cond: () => boolean, what: () => string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        clearInterval(ask)
        clearTimeout(timer)
        wakers.delete(check)
      }
      const check = (): void => {
        try {
          if (!cond()) return
          cleanup()
          resolve()
        } catch (err) {
          cleanup()
          reject(err as Error)
        }
      }
      const ask = setInterval(() => {
        store.requestProgress()
        check()
      }, 10)
      // A guard, not a sleep: only a hang reaches it.
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out after ${WAIT_DEADLINE_MS} ms waiting for ${what()}`))
      }, WAIT_DEADLINE_MS)
      wakers.add(check)
      check()
    })

  // The truth: what every write was acknowledged with, by revision.
  const acked = new Map<number, string[]>()
  const record = (revision: number, events: string[]): void => {
    assert.ok(!acked.has(revision), `revision ${revision} acknowledged twice`)
    acked.set(revision, events)
  }
  for (const [i, key] of ['k/0', 'k/1', 'k/3', 'z/0', 'k/10', 'k0'].entries()) {
    const value = `parent:${i}`
    record((await store.put(key, value)).revision, [`PUT ${key}=${value}`])
  }
  record((await store.deleteRange({ key: 'k/1' })).revision, ['DELETE k/1'])
  const initialRevision = store.revision

  const specs: Spec[] = [
    { name: 'all from 1', request: { key: '', rangeEnd: '\0', startRevision: 1, prevKv: true }, covers: () => true },
    { name: 'prefix k/ prevKv', request: { key: 'k/', prefix: true, prevKv: true }, covers: (k) => k.startsWith('k/') },
    { name: 'prefix k/1', request: { key: 'k/1', prefix: true }, covers: (k) => k.startsWith('k/1') },
    { name: 'key k/3 prevKv', request: { key: 'k/3', prevKv: true }, covers: (k) => k === 'k/3' },
    { name: 'range [k/2,k/5)', request: { key: 'k/2', rangeEnd: 'k/5' }, covers: (k) => k >= 'k/2' && k < 'k/5' },
    { name: 'k/ NODELETE', request: { key: 'k/', prefix: true, filters: ['NODELETE'] }, covers: (k) => k.startsWith('k/') },
    { name: 'all NOPUT prevKv', request: { key: '', rangeEnd: '\0', filters: ['NOPUT'], prevKv: true }, covers: () => true },
    { name: 'k/ from 3 prevKv', request: { key: 'k/', prefix: true, startRevision: 3, prevKv: true }, covers: (k) => k.startsWith('k/') },
    { name: 'all from 2, unread', request: { key: '', rangeEnd: '\0', startRevision: 2 }, covers: () => true, slow: true },
  ]
  const pumps = specs.map((s) => {
    const p = new Pump(s, store.watch(s.request), wake)
    return s.slow === true ? p : p.start()
  })
  const live = pumps.filter((p) => p.spec.slow !== true)
  const allPump = pumps[0] as Pump
  const lagging = (target: number): string =>
    live
      .filter((p) => p.reached() < target)
      .map((p) => `${p.spec.name} at ${p.reached()}`)
      .join(', ')
  await waitUntil(() => live.every((p) => p.reached() >= initialRevision), () => `the initial writes (${initialRevision}): ${lagging(initialRevision)}`)

  // The children: one compacts once, at a seeded point of its sequence.
  const children = Array.from({ length: CHILDREN }, (_, i) => new Child(`watch-writer-${i}`, WRITER, [path, `c${i}`, String(SEED + i)], CHILD_DEADLINE_MS))
  let compactRevision = 0
  let compactPointError: unknown
  for (const c of children) {
    c.onMessage((m) => {
      const r = m as WriterReply
      if (r.type === 'ack') record(r.revision, (r as WriterAck).events)
      if (r.type === 'compacted') compactRevision = r.revision
      if (r.type === 'compact-point') {
        const target = Math.max(3, r.revision - (SEED % 4))
        const ready = waitUntil(() => live.every((p) => p.reached() >= r.revision), () => `the compacting child's head ${r.revision}: ${lagging(r.revision)}`)
        void ready
          .catch((err: unknown) => {
            compactPointError = err
          })
          .then(() => c.send({ cmd: 'compact', revision: target } satisfies WriterRequest))
      }
    })
  }
  await Promise.all(children.map((c) => c.next('ready')))
  const compactAt = Math.floor(OPS / 3 + ((SEED % 1000) / 1000) * (OPS / 3))
  const ran = await Promise.all(
    children.map((c, i) => {
      const req: WriterRequest = i === 0 ? { cmd: 'run', ops: OPS, keys: KEYS, compactAt, compactAlone: false } : { cmd: 'run', ops: OPS, keys: KEYS }
      return c.call<Extract<WriterReply, { type: 'ran' }>>(req, 'ran')
    }),
  )
  const last = Math.max(...ran.map((r) => r.lastRevision))
  assert.equal(compactPointError, undefined)
  assert.ok(compactRevision > 2, `the compaction ran (at ${compactRevision})`)
  await waitUntil(() => live.every((p) => p.reached() >= last), () => `the children's last acknowledged revision ${last}: ${lagging(last)}`)
  await waitUntil(() => store.compactRevision >= compactRevision, () => `the compaction at ${compactRevision} (parent sees ${store.compactRevision})`)

  // Opened after the compaction: below it (W5, cancelled), exactly at it (valid).
  const below = store.watch({ key: '', rangeEnd: '\0', startRevision: compactRevision - 1 })
  const belowFirst = await below.next()
  const atRequest: WatchRequest = { key: '', rangeEnd: '\0', startRevision: compactRevision, prevKv: true }
  const at = new Pump({ name: 'all from the compaction', request: atRequest, covers: () => true }, store.watch(atRequest), wake).start()
  await waitUntil(() => at.reached() >= last, () => `the watch at the compaction revision to reach ${last} (at ${at.reached()})`)
  // The unread watcher from 2 now reads its first page from the log, under the compaction (W6).
  const slow = pumps.find((p) => p.spec.slow === true) as Pump
  slow.start()
  await waitUntil(() => slow.done, () => 'the unread watcher to end')

  for (const c of children) await c.call({ cmd: 'close' }, 'closed')
  for (const c of children) assert.deepEqual(await c.exitedWithin(), { code: 0, signal: null }, `${c.name} exits cleanly`)
  for (const p of [...live, at]) p.watcher.cancel()
  const report = await store.check()
  assert.deepEqual(report.problems, [], 'store.check()')
  await store.close()
  closed = true

  // 1. The history from the watcher from revision 1 equals the acknowledgements, revision by revision.
  const allEnd = allPump.responses.findIndex((r) => r.canceled === true)
  assert.ok(allEnd === -1 || allEnd === allPump.responses.length - 1)
  const history: Ev[] = allPump.responses.filter((r) => r.canceled !== true).flatMap((r) => r.events.map((e) => ({ type: e.type, kv: e.kv })))
  const byRevision = new Map<number, string[]>()
  for (const e of history) {
    const list = byRevision.get(e.kv.modRevision) ?? []
    list.push(showEvent(e))
    byRevision.set(e.kv.modRevision, list)
  }
  const revisions = [...acked.keys()].sort((a, b) => a - b)
  assert.deepEqual(revisions, Array.from({ length: last - 1 }, (_, i) => i + 2), 'every revision 2..last was acknowledged by exactly one writer')
  for (const rev of revisions) assert.deepEqual(byRevision.get(rev), acked.get(rev), `revision ${rev}: events as acknowledged, in op order`)
  assert.equal(byRevision.size, revisions.length, 'no revision beyond the acknowledged ones')

  // 2. Every stream is its slice of the history (W7), prevKv (W9) and filters (W10) right.
  const prevOf = (i: number): KeyValue | undefined => {
    const e = history[i] as Ev
    for (let j = i - 1; j >= 0; j--) {
      const h = history[j] as Ev
      if (Buffer.compare(h.kv.key, e.kv.key) === 0) return h.type === 'PUT' ? h.kv : undefined
    }
    return undefined
  }
  const checkStream = (p: Pump, start: number): number => {
    const { name, request } = p.spec
    const rs = p.responses.filter((r) => r.canceled !== true)
    assert.ok(p.responses.slice(0, -1).every((r) => r.canceled !== true), `${name}: nothing after a cancel`)
    const want = history
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.kv.modRevision >= start && p.spec.covers(text(e.kv.key)))
      .filter(({ e }) => !(request.filters ?? []).includes(e.type === 'PUT' ? 'NOPUT' : 'NODELETE'))
    const got = rs.flatMap((r) => r.events)
    const seen = new Set<number>()
    let promised = 0
    let delivered = 0
    for (const r of rs) {
      const revs = [...new Set(r.events.map((e) => e.kv.modRevision))]
      for (const rev of revs) assert.ok(!seen.has(rev), `${name}: revision ${rev} split or repeated (W7)`)
      for (const rev of revs) seen.add(rev)
      assert.ok(r.revision >= promised, `${name}: response revisions never go back`)
      promised = r.revision
      delivered += r.events.length
      assert.ok(delivered >= want.filter(({ e }) => e.kv.modRevision <= r.revision).length, `${name}: response at ${r.revision} promised undelivered events`)
    }
    assert.deepEqual(got.map(showEvent).map((s, i) => `${got[i]?.kv.modRevision} ${s}`), want.map(({ e }) => `${e.kv.modRevision} ${showEvent(e)}`), `${name}: the slice from ${start}`)
    got.forEach((g, n) => {
      const { e, i } = want[n] as { e: Ev; i: number }
      assert.deepEqual(g.kv, e.kv, `${name}: event ${n} kv`)
      if (request.prevKv !== true || (g.type === 'PUT' && g.kv.version === 1)) {
        assert.equal(g.prevKv, undefined, `${name}: event ${n} prevKv only when asked, never on a create`)
        return
      }
      if (g.prevKv === undefined) assert.ok(e.kv.modRevision - 1 < compactRevision, `${name}: event ${n} at ${e.kv.modRevision} lacks prevKv though not compacted (W9)`)
      else assert.deepEqual(g.prevKv, prevOf(i), `${name}: event ${n} at ${e.kv.modRevision} prevKv (W9)`)
    })
    return got.length
  }
  const counts: string[] = []
  for (const p of live) {
    const start = p.watcher.startRevision
    if (p.spec.request.startRevision === undefined) assert.equal(start, initialRevision + 1, `${p.spec.name}: "now" is after the initial writes`)
    counts.push(`${p.spec.name}: ${checkStream(p, start)}`)
  }
  counts.push(`at compaction: ${checkStream(at, compactRevision)}`)

  // 3. The endings: below the compaction (W5) and fallen behind it (W6).
  assert.equal(belowFirst.done, false)
  assert.equal(belowFirst.value?.canceled, true, 'a watch below the compaction is cancelled')
  assert.equal(belowFirst.value?.compactRevision, compactRevision)
  assert.equal(belowFirst.value?.cancelReason, cancelReasons.compacted)
  assert.equal(slow.error, undefined)
  assert.equal(slow.responses.length, 1, `the unread watcher: one response, got ${JSON.stringify(slow.responses.map((r) => ({ ...r, events: r.events.length })))}`)
  const end = slow.responses[0] as WatchResponse
  assert.equal(end.canceled, true)
  assert.equal(end.events.length, 0)
  assert.equal(end.compactRevision, compactRevision, 'the compacted ending names the compaction revision')
  assert.equal(end.cancelReason, cancelReasons.compacted)
  console.log(`child-process-watch: seed ${SEED}, revisions 2..${last}, compaction at ${compactRevision}, events ${counts.join('; ')}; ${Date.now() - started} ms`)
})

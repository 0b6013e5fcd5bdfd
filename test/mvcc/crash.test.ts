// Crash safety: a child writes with several concurrent writers (group commit) and is SIGKILLed
// at a random moment; the parent reopens the same file and checks that every acknowledged write
// survived, no txn is half visible, revisions never go backwards, and store.check() is clean.
// Repeated on one file, the next child resuming on what the last one left.
//
// ETCHLOG_CRASH_SEED replays a run (the seed is printed); ETCHLOG_CRASH_KILLS scales the number
// of kills (default 24 strict + 6 relaxed, about 30 s). A soak run takes about a second per
// kill, past run-tests.mjs's 300 s per file, so run it directly:
//   ETCHLOG_CRASH_KILLS=2000 KV_VERIFY=1 node --import tsx --test test/mvcc/crash.test.ts
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { openStore, type Durability, type Store } from '../../src/index.js'
import { Child, killChildren, prng, type ChildFailure } from '../support/child-process.js'
import type { CrashMessage } from '../support/crash-writer.js'
import { tempDir, text } from '../support/temp-store.js'

type Ack = Extract<CrashMessage, { type: 'ack' }>

const WRITER = new URL('../support/crash-writer.ts', import.meta.url)
// crash-writer.ts's counter key: every cas txn increments it.
const COUNTER_KEY = 'counter'
// Concurrent writer loops in the child: several writes per group commit.
const WRITERS = 6
// The parent kills after 0..ACKS_MAX acks (or, now and then, while the child opens the store).
const ACKS_MAX = 300
const KILL_WHILE_OPENING_CHANCE = 0.1
// Earlier cycles' acks re-verified after each kill (all of them after the last one).
const EARLIER_ACKS_SAMPLED = 100
// Only a hung child waits this long for its next message.
const CHILD_DEADLINE_MS = 20_000

const killsStrict = envInt('ETCHLOG_CRASH_KILLS', 24)
assert.ok(killsStrict >= 1, 'ETCHLOG_CRASH_KILLS must be at least 1')
const killsRelaxed = Math.max(2, Math.ceil(killsStrict / 4))
const seedBase = envInt('ETCHLOG_CRASH_SEED', Math.floor(Math.random() * 2 ** 31))

function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  assert.ok(Number.isSafeInteger(n) && n >= 0, `${name} must be a non-negative integer, got ${raw}`)
  return n
}

interface History {
  path: string
  durability: Durability
  /** Every ack of every cycle, in arrival order. */
  acks: Ack[]
  /** Highest revision known to be committed: acked by a child or written by the parent. */
  revisionMax: number
}

interface CycleResult {
  acks: Ack[]
  readyRevision: number | undefined
}

/** Runs one child until the parent kills it; returns what it acknowledged. */
async function crashCycle(h: History, cycle: number, random: () => number): Promise<CycleResult> {
  const killWhileOpening = random() < KILL_WHILE_OPENING_CHANCE
  const ackTarget = Math.floor(random() * (ACKS_MAX + 1))
  const childSeed = Math.floor(random() * 2 ** 31)
  const child = new Child(`crash-writer#${cycle}`, WRITER, [h.path, h.durability, String(childSeed), String(cycle), String(WRITERS)], CHILD_DEADLINE_MS)
  const result: CycleResult = { acks: [], readyRevision: undefined }
  let failure: string | undefined
  const kill = (): void => {
    child.proc.kill('SIGKILL')
  }
  child.onMessage((raw) => {
    const m = raw as CrashMessage | ChildFailure
    if (m.type === 'failure') failure = m.error
    else if (m.type === 'opening' && killWhileOpening) kill()
    else if (m.type === 'ready') {
      result.readyRevision = m.revision
      if (ackTarget === 0) kill()
    } else if (m.type === 'ack') {
      result.acks.push(m)
      if (result.acks.length >= ackTarget) kill()
    }
  })
  const exit = await child.exitedWithin()
  assert.equal(failure, undefined, `the writer failed on its own: ${failure}`)
  assert.equal(exit.signal, 'SIGKILL', `the writer exited by itself (code ${exit.code})`)
  return result
}

/** Revisions the child reported are consistent with everything committed before it started. */
function checkAckOrder(h: History, r: CycleResult): void {
  if (r.readyRevision !== undefined) {
    assert.ok(r.readyRevision >= h.revisionMax, `child opened at revision ${r.readyRevision} < ${h.revisionMax} committed before`)
  }
  let last = h.revisionMax
  for (const a of r.acks) {
    // Each acked write got its own revision, above anything committed earlier.
    assert.ok(a.revision > last, `ack ${a.keys[0]} at revision ${a.revision} after ${last}`)
    last = a.revision
  }
  assert.ok(r.acks.length === 0 || r.readyRevision !== undefined, 'acks came before ready')
}

async function verifyAck(store: Store, a: Ack): Promise<void> {
  const unique = a.kind === 'cas' ? a.keys.slice(0, 2) : a.keys
  for (const key of unique) {
    const kv = await store.get(key)
    assert.ok(kv !== undefined, `acked ${a.kind} key ${key} (revision ${a.revision}) is missing`)
    assert.equal(kv.modRevision, a.revision, `acked key ${key}: modRevision`)
    assert.equal(kv.version, 1, `acked key ${key} is written once`)
    assert.equal(text(kv.value), a.value, `acked key ${key}: value`)
  }
  if (a.kind === 'cas') {
    // The counter moved on since; at the acked revision it holds the acked value.
    const now = await store.get(COUNTER_KEY)
    assert.ok(now !== undefined && now.modRevision >= a.revision, `counter went back below acked revision ${a.revision}`)
    const then = await store.get(COUNTER_KEY, { revision: a.revision })
    assert.equal(then?.modRevision, a.revision, `counter at acked revision ${a.revision}: modRevision`)
    assert.equal(text(then?.value), a.value, `counter at acked revision ${a.revision}: value`)
  }
}

/**
 * Every txn of the prefix (acked or not) is whole: both keys of a pair, with one value and one
 * revision; a cas pair also matches the counter at that revision.
 */
async function verifyWholeTxns(store: Store, prefix: 'pair/' | 'cas/', cycle: number | undefined): Promise<number> {
  const r = await store.range({ key: cycle === undefined ? prefix : `${prefix}${cycle}/`, prefix: true })
  const stems = new Map<string, Array<{ end: string; value: string | undefined; modRevision: number }>>()
  for (const kv of r.kvs) {
    const key = text(kv.key) ?? ''
    const cut = key.lastIndexOf('/')
    const parts = stems.get(key.slice(0, cut)) ?? []
    parts.push({ end: key.slice(cut + 1), value: text(kv.value), modRevision: kv.modRevision })
    stems.set(key.slice(0, cut), parts)
  }
  for (const [stem, parts] of stems) {
    assert.deepEqual(parts.map((p) => p.end), ['a', 'b'], `txn ${stem} is partly visible`)
    const [a, b] = parts as [(typeof parts)[0], (typeof parts)[0]] // checked: exactly two parts
    assert.equal(a.value, b.value, `txn ${stem}: values differ`)
    assert.equal(a.modRevision, b.modRevision, `txn ${stem}: revisions differ`)
    if (prefix === 'cas/') {
      const counter = await store.get(COUNTER_KEY, { revision: a.modRevision })
      assert.equal(counter?.modRevision, a.modRevision, `txn ${stem}: counter not written in the same revision`)
      assert.equal(text(counter?.value), a.value, `txn ${stem}: counter value differs`)
    }
  }
  return stems.size
}

/** No lost increment: the counter's value is its version and the number of cas txns committed. */
async function verifyCounter(store: Store): Promise<void> {
  const counter = await store.get(COUNTER_KEY)
  const casKeys = (await store.range({ key: 'cas/', prefix: true, countOnly: true })).count
  if (counter === undefined) {
    assert.equal(casKeys, 0, 'cas keys exist but the counter does not')
    return
  }
  const value = Number(text(counter.value))
  assert.equal(counter.version, value, 'counter: version and value differ (an increment was lost or doubled)')
  assert.equal(casKeys, 2 * value, 'counter: cas txns committed and increments differ')
}

/** Reopens the file in this process, checks it, and writes once (the revision must move on). */
async function reopenAndVerify(h: History, cycle: number, r: CycleResult, random: () => number, final: boolean): Promise<void> {
  const store = await openStore({ path: h.path, durability: h.durability })
  try {
    const revision = store.revision
    const ackedMax = r.acks.at(-1)?.revision ?? 0
    assert.ok(revision >= h.revisionMax, `revision ${revision} after reopen < ${h.revisionMax} committed earlier`)
    assert.ok(revision >= ackedMax, `revision ${revision} after reopen < acked ${ackedMax}`)
    for (const a of r.acks) await verifyAck(store, a)
    const earlier = h.acks.length
    const samples = final ? earlier : Math.min(EARLIER_ACKS_SAMPLED, earlier)
    for (let i = 0; i < samples; i++) {
      const a = h.acks[final ? i : Math.floor(random() * earlier)]
      assert.ok(a !== undefined, 'sample index within the earlier acks')
      await verifyAck(store, a)
    }
    for (const prefix of ['pair/', 'cas/'] as const) await verifyWholeTxns(store, prefix, final ? undefined : cycle)
    await verifyCounter(store)
    const report = await store.check()
    assert.deepEqual(report.problems, [], 'store.check() after reopen')
    assert.ok(report.ok)
    const next = await store.put(`parent/${cycle}`, 'reopened')
    assert.equal(next.revision, revision + 1, 'the first write after reopen takes the next revision')
    h.revisionMax = next.revision
  } finally {
    await store.close()
  }
}

async function crashLoop(t: TestContext, durability: Durability, kills: number, seed: number): Promise<void> {
  t.diagnostic(`seed=${seed} kills=${kills} (replay: ETCHLOG_CRASH_SEED=${seedBase} ETCHLOG_CRASH_KILLS=${killsStrict})`)
  const dir = tempDir('etchlog-crash-')
  t.after(async () => {
    await killChildren()
    dir.remove()
  })
  const random = prng(seed)
  const h: History = { path: join(dir.path, 'etchlog.db'), durability, acks: [], revisionMax: 0 }
  let acked = 0
  for (let cycle = 0; cycle < kills; cycle++) {
    try {
      // After a timeout the cleanup has killed the child and removed the folder: stop here.
      t.signal.throwIfAborted()
      const r = await crashCycle(h, cycle, random)
      checkAckOrder(h, r)
      t.signal.throwIfAborted()
      await reopenAndVerify(h, cycle, r, random, cycle === kills - 1)
      h.acks.push(...r.acks)
      acked += r.acks.length
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      throw new Error(`${durability} seed=${seed} cycle=${cycle}: ${message}`, { cause: err })
    }
  }
  t.diagnostic(`${kills} kills, ${acked} acked writes verified, revision ${h.revisionMax}`)
  assert.ok(acked > 0, 'the children acknowledged writes at all')
}

test(`strict: ${killsStrict} SIGKILLs lose no acked write and show no partial txn`, { timeout: 60_000 + killsStrict * 5_000 }, async (t) => {
  await crashLoop(t, 'strict', killsStrict, seedBase)
})

test(`relaxed: ${killsRelaxed} SIGKILLs lose no acked write and show no partial txn`, { timeout: 60_000 + killsRelaxed * 5_000 }, async (t) => {
  await crashLoop(t, 'relaxed', killsRelaxed, (seedBase + 1) >>> 0)
})

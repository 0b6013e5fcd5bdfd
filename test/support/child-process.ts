// Child processes for the crash and multi-process tests: forks a TypeScript file under tsx and
// turns its IPC messages into awaitable replies. A child that exits, or says nothing matching
// within its deadline, fails the waiter instead of hanging the test.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A message a child sends when it hits an unexpected error; the parent turns it into a failure. */
export interface ChildFailure {
  type: 'failure'
  error: string
}

interface Waiter {
  match(m: unknown): boolean
  resolve(m: unknown): void
  reject(err: Error): void
  what: string
}

/** Every child forked and not yet reaped, so a timed-out test can still kill them all. */
const children = new Set<Child>()

export class Child {
  readonly proc: ChildProcess
  /** Resolves once the process has exited and its IPC channel is closed (no message is lost). */
  readonly exited: Promise<Exit>
  // Messages not yet taken by a waiter, in arrival order.
  private readonly inbox: unknown[] = []
  // At most a few: the test awaits one reply at a time per child.
  private readonly waiters: Waiter[] = []
  // Set once the process has exited and its channel closed; waiters after that fail at once.
  private exit: Exit | undefined
  private readonly listeners: Array<(m: unknown) => void> = []

  constructor(
    readonly name: string,
    file: URL,
    args: string[],
    private readonly deadlineMs: number,
  ) {
    this.proc = fork(fileURLToPath(file), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.add(this)
    this.proc.on('message', (m: unknown) => this.receive(m))
    let exitInfo: Exit | undefined
    let disconnected = false
    this.exited = new Promise<Exit>((resolve) => {
      const settle = (): void => {
        if (exitInfo === undefined || !disconnected) return
        this.exit = exitInfo
        children.delete(this)
        for (const w of this.waiters.splice(0)) {
          w.reject(new Error(`${this.name} exited (code ${exitInfo.code}, signal ${exitInfo.signal}) while waiting for ${w.what}`))
        }
        resolve(exitInfo)
      }
      this.proc.on('exit', (code, signal) => {
        exitInfo = { code, signal }
        settle()
      })
      this.proc.on('disconnect', () => {
        disconnected = true
        settle()
      })
      // A failed spawn emits 'error' and maybe no 'exit': treat it as an exit without a channel.
      this.proc.on('error', (err) => {
        exitInfo ??= { code: null, signal: null }
        disconnected = true
        for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name}: ${err.message}`, { cause: err }))
        settle()
      })
    })
  }

  /** Calls fn for every message as it arrives (before waiters see it). */
  onMessage(fn: (m: unknown) => void): void {
    this.listeners.push(fn)
  }

  private receive(m: unknown): void {
    for (const fn of this.listeners) fn(m)
    if (isFailure(m)) {
      const err = new Error(`${this.name} failed: ${m.error}`)
      for (const w of this.waiters.splice(0)) w.reject(err)
      this.inbox.push(m)
      return
    }
    const i = this.waiters.findIndex((w) => w.match(m))
    const w = i >= 0 ? this.waiters.splice(i, 1)[0] : undefined
    if (w !== undefined) w.resolve(m)
    else this.inbox.push(m)
  }

  send(message: unknown): void {
    this.proc.send(message as Parameters<ChildProcess['send']>[0])
  }

  /** The first message (queued or future) of the given type; fails if the child dies or is silent too long. */
  next<T>(type: string): Promise<T> {
    const match = (m: unknown): boolean => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type
    const failure = this.inbox.find(isFailure)
    if (failure !== undefined) return Promise.reject(new Error(`${this.name} failed: ${failure.error}`))
    const i = this.inbox.findIndex(match)
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as T)
    if (this.exit !== undefined) {
      return Promise.reject(new Error(`${this.name} already exited (code ${this.exit.code}) before sending ${type}`))
    }
    return new Promise<T>((resolve, reject) => {
      // A guard, not a sleep: only a child that hangs ever reaches it.
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(w)
        if (at >= 0) this.waiters.splice(at, 1)
        reject(new Error(`${this.name}: no '${type}' message within ${this.deadlineMs} ms`))
      }, this.deadlineMs)
      const w: Waiter = {
        match,
        what: `'${type}'`,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m as T)
        },
        reject: (err) => {
          clearTimeout(timer)
          reject(err)
        },
      }
      this.waiters.push(w)
    })
  }

  /** Sends a request and waits for the reply of the given type. */
  async call<T>(message: { cmd: string } & Record<string, unknown>, replyType: string): Promise<T> {
    this.send(message)
    return this.next<T>(replyType)
  }

  /** SIGKILL now (if still running); resolves once the process is gone and its channel drained. */
  async kill(): Promise<Exit> {
    if (this.exit === undefined && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL')
    return this.exited
  }

  /** Fails if the child does not exit by itself within the deadline. */
  async exitedWithin(): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined
    const guard = new Promise<never>((_, reject) => {
      // A guard, not a sleep: only a child that hangs ever reaches it.
      timer = setTimeout(() => reject(new Error(`${this.name}: did not exit within ${this.deadlineMs} ms`)), this.deadlineMs)
    })
    try {
      return await Promise.race([this.exited, guard])
    } finally {
      clearTimeout(timer)
    }
  }
}

function isFailure(m: unknown): m is ChildFailure {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'failure'
}

/** Kills every child still running and waits for them; call from t.after so a timeout cleans up. */
export async function killChildren(): Promise<void> {
  await Promise.all([...children].map((c) => c.kill()))
}

/** In a child: report an unexpected error to the parent, then exit non-zero. */
export function reportFailure(err: unknown): void {
  const error = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err)
  process.stderr.write(`child failure: ${error}\n`)
  if (process.send !== undefined && process.connected) {
    process.send({ type: 'failure', error } satisfies ChildFailure, () => process.exit(1))
  } else {
    process.exit(1)
  }
}

// True once this child closed its own IPC channel (a clean goodbye, not an orphaning).
let leaving = false

/** In a child: if the parent goes away, nobody can kill us or read our replies, so exit. */
export function exitWithParent(): void {
  process.on('disconnect', () => {
    if (!leaving) process.exit(2)
  })
}

/** In a child: close the IPC channel after the last reply; the process then exits when idle. */
export function leaveParent(): void {
  leaving = true
  process.disconnect()
}

/** mulberry32: a small seeded PRNG, so a printed seed replays a run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

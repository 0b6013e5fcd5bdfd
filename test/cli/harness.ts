// Runs etchctl in-process against a temporary database: captures stdout and stderr, feeds stdin,
// and after the test checks the database's invariants (store.check()) and removes the folder.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable, Writable } from 'node:stream'
import type { TestContext } from 'node:test'
import { run, type CliIo } from '../../src/cli/index.js'
import { openStore } from '../../src/index.js'
import { tempDir } from '../support/temp-store.js'

/** A stream that keeps what is written and lets a test wait for some text to appear. */
export class Capture extends Writable {
  private chunks: Buffer[] = []
  private waiters: Array<{ match: (text: string) => boolean; resolve: () => void }> = []

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    const text = this.text
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(text)) return true
      w.resolve()
      return false
    })
    done()
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks)
  }

  get text(): string {
    return this.bytes.toString('utf8')
  }

  /** Resolves once the output so far satisfies `match`. */
  until(match: (text: string) => boolean): Promise<void> {
    if (match(this.text)) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ match, resolve }))
  }
}

export interface Result {
  code: number
  stdout: string
  stderr: string
  stdoutBytes: Buffer
}

export interface CliOptions extends Partial<Omit<CliIo, 'stdin' | 'stdout' | 'stderr'>> {
  stdin?: string | Buffer | Readable
  stdout?: Capture
}

export interface CliDb {
  dir: string
  db: string
  /** Runs `etchctl --db <db> --create --durability relaxed ...argv`. */
  etchctl(argv: readonly string[], options?: CliOptions): Promise<Result>
}

export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<Result> {
  const stdout = options.stdout ?? new Capture()
  const stderr = new Capture()
  const given = options.stdin ?? ''
  const stdin = given instanceof Readable ? given : Readable.from(given === '' ? [] : [Buffer.from(given)])
  const { stdin: _in, stdout: _out, ...rest } = options
  // As bin/etchctl.mjs does: the store's timers are unref'd, so something must keep the event
  // loop alive while a watch waits for another store's commits.
  const hold = setInterval(() => {}, 1 << 30)
  const code = await run(argv, { env: {}, ...rest, stdin, stdout, stderr }).finally(() => clearInterval(hold))
  assert.doesNotMatch(stderr.text, /\n\s+at /, 'no stack trace on stderr')
  return { code, stdout: stdout.text, stderr: stderr.text, stdoutBytes: stdout.bytes }
}

/** A fresh folder with a database path in it, checked and removed after the test. */
export function cliDb(t: TestContext): CliDb {
  const dir = tempDir('etchctl-test-')
  const db = join(dir.path, 'etchlog.db')
  t.after(async () => {
    try {
      if (existsSync(db)) {
        const store = await openStore({ path: db, durability: 'relaxed' })
        try {
          assert.deepEqual((await store.check()).problems, [], 'store.check() after the test')
        } finally {
          await store.close()
        }
      }
    } finally {
      dir.remove()
    }
  })
  return {
    dir: dir.path,
    db,
    etchctl: (argv, options) => runCli(['--db', db, '--create', '--durability', 'relaxed', ...argv], options),
  }
}

/** Stdin a test writes to line by line (interactive txn). */
export const typedStdin = (): PassThrough => new PassThrough()

export const ok = (r: Result): Result => {
  assert.equal(r.stderr, '', 'nothing on stderr')
  assert.equal(r.code, 0, 'exit code 0')
  return r
}

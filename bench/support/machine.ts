// What the figures were measured on, for the report header.
import Database from 'better-sqlite3'
import { execSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'

export interface Machine {
  date: string
  commit: string
  node: string
  nproc: number
  cpu: string
  memoryGiB: number
  loadAvg: string
  os: string
  sqlite: string
  betterSqlite3: string
  tmpdir: string
}

function sh(cmd: string): string {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch (err) {
    // Outside a git checkout or without the tool: the report says so instead of failing.
    return `unknown (${(err as Error).message.split('\n')[0]})`
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))
    return line?.split(':')[1]?.trim() ?? 'unknown'
  } catch {
    // Not Linux: fall back to what Node reports.
    return os.cpus()[0]?.model ?? 'unknown'
  }
}

export function describeMachine(): Machine {
  // Only changes to the code under test count, not untracked benches or tests.
  const dirty = sh('git status --porcelain -- src package.json').length > 0
  const db = new Database(':memory:')
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string
  db.close()
  const require = createRequire(import.meta.url)
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: `${sh('git rev-parse --short HEAD')}${dirty ? ' (src/ has uncommitted changes)' : ''}`,
    node: process.version,
    nproc: os.availableParallelism(),
    cpu: cpuModel(),
    memoryGiB: os.totalmem() / 1024 ** 3,
    loadAvg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    os: `${os.type()} ${os.release()}`,
    sqlite,
    betterSqlite3: (require('better-sqlite3/package.json') as { version: string }).version,
    tmpdir: os.tmpdir(),
  }
}

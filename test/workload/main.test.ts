// `npm start` as a user runs it: a child process, stopped with Ctrl-C (SIGINT) after its first
// progress line. It must stop cleanly: exit 0, a summary, verification and check ok, a report.
// On this first run it makes the encryption key file (0600) beside the database, and never prints the key.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WorkloadReport } from '../../src/workload/index.js'
import { tempDir } from '../support/temp-store.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const deadlineMs = 120_000

test('SIGINT after the first progress line stops cleanly: exit 0, summary, check ok, report', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const args = ['--import', 'tsx', 'src/main.ts', '--embedded', '--duration', '60', '--db', join(dir.path, 'etchlog.db')]
  args.push('--nodes', '10', '--controllers', '6', '--speedup', '100', '--progress-every', '0.3', '--seed', '11')
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let signalled = false
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    // A progress line from the running phase (not the bootstrap) is the cue, as a user's Ctrl-C would be.
    if (!signalled && /^\s*[\d.]+s \| rev \d+/m.test(stdout)) {
      signalled = true
      child.kill('SIGINT')
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`npm start did not exit within ${deadlineMs} ms\n${stdout}\n${stderr}`))
    }, deadlineMs)
    child.on('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  assert.ok(signalled, `no progress line:\n${stdout}\n${stderr}`)
  assert.equal(code, 0, `exit ${code}:\n${stdout}\n${stderr}`)
  assert.match(stdout, /stopping: no new operations/)
  assert.match(stdout, /^interrupted after [\d.]+ s of traffic/m)
  assert.match(stdout, /^category\s+ops\s+ops\/s\s+p50 ms\s+p99 ms/m)
  assert.match(stdout, /^verification: ok/m)
  assert.match(stdout, /^check: ok/m)
  const reports = readdirSync(dir.path).filter((f) => /^etchlog-report-.*\.json$/.test(f))
  assert.equal(reports.length, 1)
  const report = JSON.parse(readFileSync(join(dir.path, reports[0] ?? ''), 'utf8')) as WorkloadReport
  assert.equal(report.interrupted, true)
  assert.ok(report.trafficSeconds < 60)
  assert.equal(report.storage.api, 'objects')
  assert.equal(report.storage.encryption?.created, true)
  const keyFile = join(dir.path, 'etchlog.key')
  assert.equal(statSync(keyFile).mode & 0o777, 0o600)
  const key = readFileSync(keyFile, 'utf8').trim()
  assert.ok(!stdout.includes(key) && !stderr.includes(key) && !JSON.stringify(report).includes(key), 'the key was printed')
})

test('a config whose key file is gone stops npm start with exit 1 and a message naming the file', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const db = join(dir.path, 'etchlog.db')
  writeFileSync(join(dir.path, 'encryption-config.json'), JSON.stringify({ resources: [{ prefixes: ['/registry/pods/'], providers: [{ aesgcmHkdf: { keys: [{ name: 'key1', file: 'etchlog.key' }] } }] }] }))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--embedded', '--duration', '1', '--db', db], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  assert.equal(code, 1, stderr)
  assert.match(stderr, /^encryption: cannot read key file .*etchlog\.key/m)
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace')
  assert.equal(existsSync(join(dir.path, 'etchlog.key')), false, 'no new key was made')
  assert.equal(existsSync(db), false, 'the store was not opened')
})

// The launcher: bin/etchctl.mjs run as a real process (through tsx) puts and gets, passes the
// exit code on, and stops a watch cleanly on SIGINT.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { cliDb } from './harness.js'

const bin = fileURLToPath(new URL('../../bin/etchctl.mjs', import.meta.url))
const exec = promisify(execFile)

interface Outcome {
  code: number
  stdout: string
  stderr: string
}

async function etchctl(args: readonly string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { encoding: 'utf8' })
    return { code: 0, stdout, stderr }
  } catch (error) {
    // execFile rejects on a non-zero exit; the code and output are on the error.
    const e = error as { code?: unknown; stdout?: unknown; stderr?: unknown }
    if (typeof e.code !== 'number') throw error
    return { code: e.code, stdout: String(e.stdout), stderr: String(e.stderr) }
  }
}

test('node bin/etchctl.mjs put, then get, in separate processes', async (t) => {
  const { db } = cliDb(t)
  assert.deepEqual(await etchctl(['--db', db, '--create', 'put', 'a', 'b']), { code: 0, stdout: 'OK\n', stderr: '' })
  assert.deepEqual(await etchctl(['--db', db, 'get', 'a']), { code: 0, stdout: 'a\nb\n', stderr: '' })
  const failed = await etchctl(['--db', join(db, 'nope'), 'get', 'a'])
  assert.equal(failed.code, 1)
  assert.match(failed.stderr, /^Error: database .* does not exist/)
})

test('a watch process prints events and exits 0 on SIGINT', async (t) => {
  const { db } = cliDb(t)
  assert.equal((await etchctl(['--db', db, '--create', 'put', 'k', 'v1'])).code, 0)
  const child = spawn(process.execPath, [bin, '--db', db, 'watch', 'k', '--rev', '2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('v1\n')) resolve()
    })
  })
  child.kill('SIGINT')
  assert.equal(await exited, 0)
  assert.equal(stdout, 'PUT\nk\nv1\n')
})

test('one Ctrl-C delivered twice (terminal and npm both signal) still stops a watch with 0', async (t) => {
  const { db } = cliDb(t)
  assert.equal((await etchctl(['--db', db, '--create', 'put', 'k', 'v1'])).code, 0)
  const child = spawn(process.execPath, [bin, '--db', db, 'watch', 'k', '--rev', '2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('v1') && resolve()))
  child.kill('SIGINT')
  child.kill('SIGINT')
  assert.deepEqual(await exited, { code: 0, signal: null })
})

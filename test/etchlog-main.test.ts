// `etchlog <command>`: help, version and unknown commands, called in-process.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { main } from '../src/etchlog-main.js'

async function etchlog(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const text = { stdout: '', stderr: '' }
  const sink = (name: 'stdout' | 'stderr'): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text[name] += chunk.toString()
        done()
      },
    })
  const code = await main(argv, { stdout: sink('stdout'), stderr: sink('stderr'), env: {} })
  return { code, ...text }
}

test('help lists the subcommands and exits 0; no command at all prints it and exits 2', async () => {
  for (const argv of [['help'], ['--help'], ['-h']]) {
    const r = await etchlog(argv)
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^Usage: etchlog <command> \[options\]\n\nCommands:\n {2}serve /)
  }
  const none = await etchlog([])
  assert.equal(none.code, 2)
  assert.match(none.stdout, /^Usage: etchlog/)
})

test('version prints the package version; an unknown command is a usage error', async () => {
  assert.match((await etchlog(['version'])).stdout, /^etchlog \d+\.\d+\.\d+/)
  const r = await etchlog(['serv'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /^etchlog: unknown command "serv"\n\nUsage:/)
})

#!/usr/bin/env node
// etchctl launcher: loads the command-line tool (compiled from dist/ in the installed package,
// the TypeScript source through tsx in a checkout: resolve-entry.mjs), runs one command with the
// process's own streams, and exits with its code once stdout has been flushed. The first Ctrl-C
// (SIGINT) ends watch and keep-alive cleanly with status 0; a second one quits with 130.
import { abortOnInterrupt, loadEntry } from './resolve-entry.mjs'

const { run } = /** @type {typeof import('../src/cli/index.ts')} */ (await loadEntry('cli/index'))

const controller = abortOnInterrupt()
// The store's timers are unref'd (a library must not keep its host alive); a watch waiting for
// the next event must keep this process alive until the command ends.
const keepAlive = setInterval(() => {}, 1 << 30)
let code = 1
try {
  code = await run(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  })
} finally {
  clearInterval(keepAlive)
}
process.stdout.write('', () => process.exit(code))

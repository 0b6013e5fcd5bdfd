#!/usr/bin/env node
// etchlog launcher: loads src/etchlog-main (compiled from dist/ in the installed package, the
// TypeScript source through tsx in a checkout: resolve-entry.mjs) and runs one subcommand
// (`etchlog serve`, ...) with the process's own streams. The first Ctrl-C (SIGINT) asks the
// subcommand to stop cleanly (status 0); a second one quits with 130.
import { abortOnInterrupt, loadEntry } from './resolve-entry.mjs'

const { main } = /** @type {typeof import('../src/etchlog-main.ts')} */ (await loadEntry('etchlog-main'))

const controller = abortOnInterrupt()
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
})
process.stdout.write('', () => process.exit(code))

#!/usr/bin/env node
// etchlog launcher: `etchlog serve` and friends (src/etchlog-main.ts).
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/etchlog-main.ts')
const code = await main(process.argv.slice(2))
process.stdout.write('', () => process.exit(code))

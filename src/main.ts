// `npm run load`: runs `etchlog load` (src/load.ts, docs/workload.md) with the process's streams.
import { runLoad } from './load.js'

process.exitCode = await runLoad(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })

// The command-line tool's public face: bin/etchctl.mjs and the tests call run().
export { run } from './run.js'
export type { CliIo } from './session.js'

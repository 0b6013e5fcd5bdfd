// Shared by the launchers in bin/: loads one entry module of the package. In a source checkout
// (src/ present beside bin/, tsx installed as a development dependency) it runs the TypeScript
// source through tsx, so no build is needed while developing; in the installed package, which
// ships dist/ and not src/, it runs the compiled JavaScript with plain Node. ETCHLOG_DIST=1 forces
// the compiled build in a checkout (after `npm run build`).
import { existsSync } from 'node:fs'

/**
 * @param {string} entry path below src/ and dist/ without extension, e.g. 'cli/index'
 * @returns {Promise<Record<string, unknown>>}
 */
export async function loadEntry(entry) {
  const source = new URL(`../src/${entry}.ts`, import.meta.url)
  if (process.env.ETCHLOG_DIST !== '1' && existsSync(source)) {
    const { register } = await import('tsx/esm/api')
    register()
    return import(source.href)
  }
  const compiled = new URL(`../dist/${entry}.js`, import.meta.url)
  if (!existsSync(compiled)) {
    process.stderr.write(`etchlog: ${compiled.pathname} is missing: run \`npm run build\` first\n`)
    process.exit(1)
  }
  return import(compiled.href)
}

/** A Ctrl-C arriving again within this time is the same one delivered twice (see below). */
const repeatMs = 1000

/**
 * An AbortController aborted by the first Ctrl-C, so the command stops cleanly and exits 0. One
 * Ctrl-C can arrive twice: the terminal signals the whole process group, and npm (npx, npm run)
 * forwards the signal to its child as well, so a repeat within a second is ignored. A later one
 * quits at once with the status a shell gives an interrupted program (130).
 * @returns {AbortController}
 */
export function abortOnInterrupt() {
  const controller = new AbortController()
  let firstAt = 0
  process.on('SIGINT', () => {
    const now = performance.now()
    if (!controller.signal.aborted) {
      firstAt = now
      controller.abort()
    } else if (now - firstAt > repeatMs) {
      process.exit(130)
    }
  })
  return controller
}

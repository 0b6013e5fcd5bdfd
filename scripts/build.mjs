// `npm run build` (and `prepare`): compiles src/ to dist/ (ESM, .d.ts, source maps) with
// tsconfig.build.json, then copies the files tsc does not emit beside the modules that load them:
// plain-JavaScript workers (*.mjs) and .proto files (the etcd front's API). dist/ is rebuilt from nothing so no stale file ships.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const src = join(root, 'src')
const dist = join(root, 'dist')

rmSync(dist, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
if (result.status !== 0) process.exit(result.status ?? 1)

function workers(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? workers(p) : /\.(mjs|proto)$/.test(p) ? [p] : []
  })
}
for (const file of workers(src)) {
  const target = join(dist, relative(src, file))
  mkdirSync(dirname(target), { recursive: true })
  copyFileSync(file, target)
}

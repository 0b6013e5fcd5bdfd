// Packs this repository as npm would publish it and installs the tarball into an empty project,
// the way a user gets etchlog. Shared by test/package/*.test.ts.
//
// The install is made offline from npm's cache: `npm install <tarball>` would need the registry's
// package documents to resolve version ranges, which `npm ci` (what CI runs) never caches, so the
// consumer gets a lock file derived from this repository's own (the runtime entries only, with
// their tarball URLs), and `npm ci --offline` installs exactly those versions from the cache. Only
// when that fails (an incomplete cache) does it fall back to `npm install --prefer-offline`.
// Install scripts are not run (--ignore-scripts): the one native addon a user needs,
// better-sqlite3, is the very version this repository built, so its compiled binary is copied in
// rather than compiled a second time (about 90 s in CI). msgpackr's optional native extension is
// left out; msgpackr falls back to plain JavaScript.
import assert from 'node:assert/strict'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** What `npm pack --json` reports for one tarball. */
export interface PackReport {
  filename: string
  size: number
  unpackedSize: number
  entryCount: number
  files: Array<{ path: string; size: number }>
}

export interface PackedInstall {
  /** The consumer project: package.json, node_modules/etchlog, its dependencies. */
  project: string
  pack: PackReport
  /** How the dependencies got there: 'offline' (npm ci from the cache) or 'prefer-offline'. */
  installMode: 'offline' | 'prefer-offline'
  remove(): void
}

interface LockEntry {
  version?: string
  resolved?: string
  name?: string
  dev?: boolean
  link?: boolean
  [field: string]: unknown
}

/** The environment for a child npm: without the variables a parent `npm test` sets for its own package. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_/.test(name) || name === 'npm_config_local_prefix' || name === 'INIT_CWD') continue
    env[name] = value
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
}

export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv()): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
}

export function mustRun(command: string, args: readonly string[], cwd: string): string {
  const r = run(command, args, cwd)
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed (${String(r.status ?? r.signal)}):\n${r.stderr}\n${r.stdout}`)
  return r.stdout
}

/** The consumer's lock file: this repository's runtime packages, each with its tarball URL. */
function consumerLock(tarball: string, registry: string): object {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> }
  const root = lock.packages['']
  assert.ok(root !== undefined, 'package-lock.json has no root entry')
  const spec = `file:${tarball}`
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', dependencies: { etchlog: spec } },
    'node_modules/etchlog': { version: own.version, resolved: spec, dependencies: own.dependencies, bin: root.bin },
  }
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || entry.link === true) continue
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
    const resolved = entry.resolved ?? `${registry}${name}/-/${basename(name)}-${String(entry.version)}.tgz`
    packages[path] = { ...entry, resolved }
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages }
}

/** Copies this repository's compiled better-sqlite3 addon into the consumer (same version, same Node). */
function linkSqliteAddon(project: string): void {
  const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
  const ours = join(repoRoot, 'node_modules', 'better-sqlite3')
  const theirs = join(project, 'node_modules', 'better-sqlite3')
  const addon = join('build', 'Release', 'better_sqlite3.node')
  if (version(ours) !== version(theirs) || !existsSync(join(ours, addon))) {
    mustRun('npm', ['rebuild', 'better-sqlite3'], project) // a different version: compile it after all
    return
  }
  mkdirSync(dirname(join(theirs, addon)), { recursive: true })
  copyFileSync(join(ours, addon), join(theirs, addon))
}

/** `npm pack` of this repository (its `prepare` builds dist/), installed into a new temp project. */
export function packAndInstall(): PackedInstall {
  const work = mkdtempSync(join(tmpdir(), 'etchlog-pack-'))
  const remove = (): void => rmSync(work, { recursive: true, force: true })
  try {
    const packed = JSON.parse(mustRun('npm', ['pack', '--json', '--pack-destination', work], repoRoot)) as PackReport[]
    const pack = packed[0]
    assert.ok(pack !== undefined, 'npm pack reported no tarball')
    const tarball = join(work, pack.filename)
    const project = join(work, 'consumer')
    mkdirSync(project)
    const manifest = { name: 'consumer', private: true, type: 'module', dependencies: { etchlog: `file:${tarball}` } }
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    const registry = mustRun('npm', ['config', 'get', 'registry'], project).trim().replace(/\/?$/, '/')
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(consumerLock(tarball, registry), null, 2))
    let installMode: PackedInstall['installMode'] = 'offline'
    if (run('npm', ['ci', '--offline', '--ignore-scripts'], project).status !== 0) {
      installMode = 'prefer-offline'
      rmSync(join(project, 'package-lock.json'))
      mustRun('npm', ['install', '--prefer-offline', '--ignore-scripts'], project)
    }
    linkSqliteAddon(project)
    return { project, pack, installMode, remove }
  } catch (err) {
    remove()
    throw err
  }
}

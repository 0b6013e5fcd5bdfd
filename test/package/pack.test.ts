// The published package as a user gets it: `npm pack` (whose `prepare` builds dist/), the tarball
// installed into an empty project (test/support/packed-install.ts says how, offline), then used
// from plain Node ESM (no TypeScript loader anywhere: tsx is not even installed), from TypeScript
// in strict mode against the shipped declarations, and through its bins. The tarball's file list
// and size are checked so that tests, sources or a stray build file never ship.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { mustRun, packAndInstall, repoRoot, run, type PackedInstall } from '../support/packed-install.js'

/** Limits with room to grow but far below a tarball that took in node_modules, src or test. */
const packedBytesMax = 1_000_000
const unpackedBytesMax = 4_000_000

let installed: PackedInstall

before(() => {
  installed = packAndInstall()
})
after(() => installed?.remove())

describe('the packed tarball', () => {
  test('holds dist (with declarations, source maps and worker files), bin, proto and nothing else', (t) => {
    const paths = installed.pack.files.map((f) => f.path)
    t.diagnostic(`${paths.length} files, ${installed.pack.size} bytes packed, ${installed.pack.unpackedSize} unpacked, install: ${installed.installMode}`)
    for (const path of paths) assert.match(path, /^(dist\/|bin\/[\w-]+\.mjs$|proto\/.+\.proto$|package\.json$|README\.md$|LICENSE$)/, `unexpected file ${path}`)
    for (const path of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.js.map',
      'dist/cli/index.js',
      'dist/etchlog-main.js',
      'dist/reseal-worker.mjs',
      'dist/log/checkpoint-worker.mjs',
      'bin/etchctl.mjs',
      'bin/etchlog.mjs',
      'proto/etchlog/core/v1/core.proto',
      'proto/k8s/core-v1.proto',
      'dist/etcdserver/etcd-rpc.proto',
    ]) {
      assert.ok(paths.includes(path), `${path} missing from the tarball`)
    }
    assert.ok(!paths.some((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')), 'TypeScript sources shipped')
    assert.ok(installed.pack.size < packedBytesMax, `packed size ${installed.pack.size} over ${packedBytesMax}`)
    assert.ok(installed.pack.unpackedSize < unpackedBytesMax, `unpacked size ${installed.pack.unpackedSize} over ${unpackedBytesMax}`)
  })

  test("allowScripts covers every dependency's install script, so npm 11 installs print no notice", (t) => {
    const r = run('npm', ['approve-scripts', '--allow-scripts-pending'], repoRoot)
    if (r.status !== 0 && /Unknown command|unknown command/i.test(`${r.stdout}${r.stderr}`)) {
      t.skip(`npm ${run('npm', ['--version'], repoRoot).stdout.trim()} has no approve-scripts (npm 11 does)`)
      return
    }
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /No packages with unreviewed install scripts/, r.stdout)
  })

  test('installs without tsx or typescript: they are development dependencies', () => {
    assert.ok(existsSync(join(installed.project, 'node_modules', 'etchlog', 'dist', 'index.js')))
    assert.ok(!existsSync(join(installed.project, 'node_modules', 'tsx')), 'tsx was installed as a runtime dependency')
    assert.ok(!existsSync(join(installed.project, 'node_modules', 'typescript')), 'typescript was installed as a runtime dependency')
  })
})

// Runs in the consumer with plain Node: the KV API, objects through the codec (proto/ found at
// run time), encryption with re-encryption on worker threads (dist/reseal-worker.mjs), close.
const plainNodeScript = `
import { openStore, ObjectStore, codec, encryption, createResealPool, systemClock } from 'etchlog'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

const dir = mkdtempSync(join(tmpdir(), 'etchlog-consumer-'))
const key = (name) => ({ name, secret: encryption.SecretKey.fromBytes(randomBytes(32), name) })
const [k1, k2] = [key('k1'), key('k2')]
const configWith = (keys) => ({ resources: [{ prefixes: ['/registry/'], providers: [{ aesgcm: { keys } }] }] })
const path = join(dir, 'etchlog.db')
let store = await openStore({ path, transformer: encryption.createTransformer(configWith([k1])) })
await store.put('/kv/a', 'one')
const objects = new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: systemClock })
const pod = await objects.create('/registry/pods/default/web', {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
})
await store.close()
const rotated = configWith([k2, k1])
store = await openStore({ path, transformer: encryption.createTransformer(rotated) })
const pool = createResealPool(rotated, { threads: 1 })
const progress = await store.reencrypt({ prefix: '/registry/', resealer: pool })
await pool.close()
const again = await new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: systemClock }).get('/registry/pods/default/web')
const kv = await store.get('/kv/a')
console.log(JSON.stringify({
  value: Buffer.from(kv.value).toString(), rv: pod.metadata.resourceVersion, image: again.spec.containers[0].image,
  rewritten: progress.rewritten, ok: (await store.check()).ok,
}))
await store.close()
rmSync(dir, { recursive: true, force: true })
`

// Type-checked (strict, no skipLibCheck) against the shipped declarations only.
const typescriptSource = `
import { openStore, ObjectStore, codec, systemClock, StorageError, type KeyValue, type KubeObject, type Store } from 'etchlog'

const store: Store = await openStore({ path: ':memory:' })
const put: { revision: number } = await store.put('a', 'b')
const kv: KeyValue | undefined = await store.get('a')
const objects = new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: systemClock })
const pod = await objects.create('/registry/pods/default/web', {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
})
const rv: string = pod.metadata.resourceVersion
const uid: string = pod.metadata.uid
const image: string | undefined = pod.spec.containers[0]?.image
const app: string | undefined = pod.metadata.labels.app
const read: KubeObject = await objects.get('/registry/pods/default/web')
const updated = await objects.guaranteedUpdate('/registry/pods/default/web', (cur) => ({ ...cur, status: { phase: 'Running' } }))
console.log(read.metadata.generation, updated.status?.phase)
try {
  await store.get('x', { revision: 1e9 })
} catch (err) {
  if (err instanceof StorageError) console.log(err.code)
}
console.log(put.revision, kv?.modRevision, rv, uid, image, app)
await store.close()
`

describe('the installed package', () => {
  test('runs from plain Node ESM: KV, objects through the codec, encryption with worker re-sealing', () => {
    const file = join(installed.project, 'plain.mjs')
    writeFileSync(file, plainNodeScript)
    const out = mustRun(process.execPath, [file], installed.project)
    assert.deepEqual(JSON.parse(out), { value: 'one', rv: '3', image: 'nginx', rewritten: 1, ok: true })
  })

  test('type-checks from TypeScript in strict mode against the shipped declarations', () => {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        noEmit: true,
        types: ['node'],
        // @types/node comes from this repository: the consumer installs runtime packages only.
        typeRoots: [join(repoRoot, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    }
    writeFileSync(join(installed.project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
    writeFileSync(join(installed.project, 'consumer.ts'), typescriptSource)
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
    const r = run(process.execPath, [tsc, '-p', installed.project], installed.project)
    assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`)
  })

  test('npx etchctl --help, and a put then a get through the bin with plain Node', () => {
    assert.match(mustRun('npx', ['--offline', 'etchctl', '--help'], installed.project), /etchctl - an etcdctl-style command line client/)
    const db = join(installed.project, 'data', 'bin.db')
    const put = run('npx', ['--offline', 'etchctl', '--db', db, '--create', 'put', 'k', 'v'], installed.project)
    assert.equal(put.status, 0, put.stderr)
    assert.equal(mustRun('npx', ['--offline', 'etchctl', '--db', db, 'get', 'k'], installed.project), 'k\nv\n')
  })

  test('npx etchlog help lists its subcommands', () => {
    assert.match(mustRun('npx', ['--offline', 'etchlog', 'help'], installed.project), /serve/)
  })
})

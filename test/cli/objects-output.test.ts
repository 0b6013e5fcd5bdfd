// Stored Kubernetes objects from the command line: get -o json|yaml decodes them through the codec
// (decrypting with --encryption-config), -w table shows object rows, and an encrypted value read
// without its key says which provider and key it needs.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { codec, encryption, ObjectStore, openStore, systemClock } from '../../src/index.js'
import { cliDb, ok, type CliDb } from './harness.js'

interface Fixture extends CliDb {
  env: Record<string, string>
  config: string
}

/** Two Pods in the clear, a Secret encrypted under key "k1", and one plain non-object value. */
async function fixture(t: TestContext): Promise<Fixture> {
  const db = cliDb(t)
  const env = { KEY_K1: randomBytes(32).toString('base64') }
  const config = join(db.dir, 'encryption.json')
  writeFileSync(config, JSON.stringify({ resources: [{ prefixes: ['/registry/secrets/'], providers: [{ aesgcm: { keys: [{ name: 'k1', env: 'KEY_K1' }] } }] }] }))
  const transformer = encryption.createTransformer(encryption.loadEncryptionConfig(config, { env }))
  const store = await openStore({ path: db.db, durability: 'relaxed', transformer })
  try {
    const objects = new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: systemClock })
    for (const name of ['web', 'db']) {
      await objects.create(`/registry/pods/default/${name}`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { app: name } },
        spec: { containers: [{ name, image: `${name}:1` }] },
      })
    }
    await objects.create('/registry/secrets/default/s', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { pw: Buffer.from('hunter2') } })
    await store.put('/registry/raw', 'plain')
  } finally {
    await store.close()
  }
  return { ...db, env, config }
}

test('get -o yaml and -o json print the decoded object; a prefix gives a List', async (t) => {
  const { etchctl } = await fixture(t)
  const pod = parseYaml(ok(await etchctl(['get', '/registry/pods/default/web', '-o', 'yaml'])).stdout) as Record<string, unknown>
  assert.deepEqual(pod['spec'], { containers: [{ name: 'web', image: 'web:1' }] })
  assert.equal((pod['metadata'] as Record<string, unknown>)['resourceVersion'], '2')
  const list = JSON.parse(ok(await etchctl(['get', '/registry/pods/', '--prefix', '-o', 'json'])).stdout) as { kind: string; items: Array<{ metadata: { name: string } }>; metadata: { resourceVersion: string } }
  assert.equal(list.kind, 'List')
  assert.deepEqual(list.items.map((i) => i.metadata.name), ['db', 'web'])
  assert.equal(list.metadata.resourceVersion, '5')
})

test('-w table shows object rows when every value is an object', async (t) => {
  const { etchctl } = await fixture(t)
  const lines = ok(await etchctl(['get', '/registry/pods/', '--prefix', '-w', 'table'])).stdout.split('\n')
  assert.match(lines[1] ?? '', /\| +KEY +\| KIND \| NAMESPACE \| NAME \| RESOURCE VERSION \| LEASE \|/)
  assert.match(lines[3] ?? '', /^\| \/registry\/pods\/default\/db +\| Pod +\| default +\| db +\| +3 \| +\|$/)
})

test('a mixed table summarises objects and names the key an encrypted value needs', async (t) => {
  const { etchctl } = await fixture(t)
  const text = ok(await etchctl(['get', '/registry/', '--prefix', '-w', 'table'])).stdout
  assert.match(text, /\| \(Pod default\/web\) +\|/)
  assert.match(text, /\| plain +\|/)
  assert.match(text, /\| \(encrypted: provider aesgcm, key "k1"; give --encryption-config\) \|/)
})

test('an encrypted object: -o without the config says which key it needs; with it, decodes (bytes in base64)', async (t) => {
  const { etchctl, env, config } = await fixture(t)
  const refused = await etchctl(['get', '/registry/secrets/default/s', '-o', 'json'])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /^Error: codec: cannot decode the value of key "\/registry\/secrets\/default\/s": the value is encrypted \(provider aesgcm, key "k1"\)/)
  const secret = JSON.parse(ok(await etchctl(['--encryption-config', config, 'get', '/registry/secrets/default/s', '-o', 'json'], { env })).stdout) as { data: { pw: string } }
  assert.equal(secret.data.pw, Buffer.from('hunter2').toString('base64'))
})

test('-o on a value that is not an object, a bad -o, and -o with --keys-only are errors', async (t) => {
  const { etchctl } = await fixture(t)
  const raw = await etchctl(['get', '/registry/raw', '-o', 'json'])
  assert.equal(raw.code, 1)
  assert.match(raw.stderr, /not an object: print it with -w simple or json/)
  const bad = await etchctl(['get', '/registry/raw', '-o', 'wide'])
  assert.match(bad.stderr, /^Error: unsupported output "wide" \(-o takes json or yaml/)
  const keys = await etchctl(['get', '/registry/', '--prefix', '--keys-only', '-o', 'json'])
  assert.match(keys.stderr, /cannot go with --keys-only/)
})

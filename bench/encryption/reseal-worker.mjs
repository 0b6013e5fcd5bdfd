// @ts-check
// piscina worker for bench/encryption/reencrypt.bench.ts: re-seals a batch of stored values
// (decrypt under the old key ring, encrypt under the first key). Plain JavaScript: a worker does
// not inherit the TypeScript loader, so it registers tsx itself before importing the layer.
import { register } from 'tsx/esm/api'

register()
const encryption = await import('../../src/encryption/index.ts')

/** @type {Map<string, any>} */
const transformers = new Map()

/** @param {{ keys: Array<{ name: string, bytes: Uint8Array }>, items: Array<{ key: Uint8Array, stored: Uint8Array }> }} task */
export default function reseal(task) {
  const id = task.keys.map((k) => k.name).join(',')
  let t = transformers.get(id)
  if (t === undefined) {
    const keys = task.keys.map((k) => ({ name: k.name, secret: encryption.SecretKey.fromBytes(k.bytes, k.name) }))
    t = encryption.createTransformer({ resources: [{ prefixes: [''], providers: [{ aesgcm: { keys } }] }] })
    transformers.set(id, t)
  }
  return task.items.map((item) => t.toStorage(item.key, t.fromStorage(item.key, item.stored).value))
}

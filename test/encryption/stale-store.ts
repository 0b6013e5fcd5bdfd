// A store holding `count` values written under key `from` and reopened with the ring [to, from],
// so every value reads as stale: the starting point of the reencrypt tests (main thread and pool).
import type { Store } from '../../src/index.js'
import type { NamedKey } from '../../src/encryption/index.js'
import { aesgcm, transformerFor } from './helpers.js'
import { tempStore } from '../support/temp-store.js'

export async function staleStore(count: number, from: NamedKey, to: NamedKey) {
  const ts = await tempStore({ durability: 'relaxed', transformer: transformerFor(aesgcm(from)) })
  const lease = await ts.store.leaseGrant(3600)
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      ts.store.put(`/r/${i % 2 === 0 ? 'even' : 'odd'}/${i}`, `value-${i}`, i === 0 ? { lease: lease.id } : {}),
    ),
  )
  const store = await ts.reopen({ transformer: transformerFor(aesgcm(to, from)) })
  return { ts, store, lease }
}

export async function staleCount(store: Store): Promise<number> {
  return (await store.range({ key: '\0', rangeEnd: '\0' })).kvs.filter((kv) => kv.stale === true).length
}

export { KvStore, type KvStoreOptions } from './kv-store.js'
export type { Log } from './log.js'
export { identityTransformer, type ValueTransformer } from './values.js'
export type * from './types.js'

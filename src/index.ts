export { openStore, type OpenStoreOptions, type Store } from './open-store.js'
export type * from './mvcc/types.js'
export * from './util/index.js'

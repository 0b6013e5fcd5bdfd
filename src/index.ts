export { openStore, type OpenStoreOptions, type Store } from './open-store.js'
export type * from './mvcc/index.js'
export * from './util/index.js'

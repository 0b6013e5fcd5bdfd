export { openStore, type OpenStoreOptions } from './open-store.js'
export { Store, type ReadPathStats } from './store.js'
export { createResealPool, type ResealPool, type ResealPoolOptions } from './reseal-pool.js'
export { createReadPool, ReadWorkerError, type ReadPool, type ReadPoolOptions } from './read-pool.js'
export { restoreSnapshot, saveSnapshot, snapshotStatus, verifySnapshot, type SnapshotStatus } from './snapshot.js'
export {
  cancelReasons,
  CacheTooOldError,
  cacheFallbackReasons,
  TooManyWatchersError,
  type CacheFallbackReason,
  type CacheReadStats,
  type CachedRange,
  type CachedRangeRequest,
  type Watcher,
  type WatchCacheStatus,
  type WatchEvent,
  type WatchFilter,
  type WatchRequest,
  type WatchResponse,
} from './watchcache/index.js'
export type * from './mvcc/index.js'
export * from './util/index.js'
export {
  ObjectStore,
  ObjectWatcher,
  initialEventsEndAnnotation,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  TooLargeResourceVersionError,
  InternalObjectError,
  ObjectError,
  toStatus,
  httpStatusOf,
  httpStatusByReason,
  LabelSelector,
  FieldSelector,
  type Status,
  type ObjectKv,
  type ObjectReadPathStats,
  type ObjectStoreOptions,
  type ObjectWatchEvent,
  type ObjectWatchEventType,
  type ObjectWatchOptions,
  type ListOptions,
  type ListResult,
  type GetOptions,
  type CreateOptions,
  type UpdateOptions,
  type DeleteOptions,
  type Preconditions,
  type TryUpdate,
  type TryUpsert,
  type ResourceVersionMatch,
} from './objects/index.js'
export * as codec from './codec/index.js'
export type { KubeObject, KubeObjectInput, ObjectFields, ObjectMeta, ObjectMetaInput, Stored } from './codec/index.js'
export * as encryption from './encryption/index.js'
// The linearizability and watch checkers (docs/linearizability.md): the namespace holds all of
// it; the three calls a user starts with are exported by name too.
export * as verify from './verify/index.js'
export {
  checkHistory,
  checkWatches,
  writeTimeline,
  type CheckResult,
  type History,
  type WatchCheckResult,
  type WatchRecord,
} from './verify/index.js'
export { startEtcdFront, type EtcdFront, type EtcdFrontOptions } from './etcdserver/index.js'
export { startServing, type ServeOptions, type Serving } from './serve.js'
export { ApiClient, ApiStatusError, Informer, startCluster, WorkQueue, type Cluster, type ClusterOptions } from './controllers/index.js'

// The object layer's public face: Kubernetes storage.Interface semantics over a key-value store.
export { ObjectStore } from './object-store.js'
export { ObjectWatcher } from './object-watcher.js'
export { initialEventsEndAnnotation } from './watch-status.js'
export {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InternalObjectError,
  NotFoundError,
  ObjectError,
  TooLargeResourceVersionError,
  httpStatusByReason,
  httpStatusOf,
  toStatus,
  type Status,
} from './errors.js'
export { LabelSelector, type LabelOperator, type LabelRequirement } from './label-selector.js'
export { FieldSelector, type FieldName, type FieldRequirement } from './field-selector.js'
export { pageRowsMax } from './list.js'
export type {
  CreateOptions,
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  ObjectKv,
  ObjectReadPathStats,
  KvWatcher,
  ObjectStoreOptions,
  ObjectWatchEvent,
  ObjectWatchEventType,
  ObjectWatchOptions,
  Preconditions,
  ResourceVersionMatch,
  TryUpdate,
  TryUpsert,
  UpdateOptions,
} from './types.js'
